//! What operating the receiver needs beyond receiving: the admin endpoint slows down
//! guessing of its token without ever refusing the right one.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use blankett_server::throttle::Policy;
use common::{Options, admin_get, problem, start, submission};

const TOKEN: &str = "operations-admin-token-0123456789abcdef";

#[tokio::test]
async fn wrong_admin_tokens_are_slowed_down_and_the_right_one_never_is() {
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        // Two mistakes are free; the third wrong token waits an hour.
        admin_throttle: Some(Policy {
            free: 2,
            first_delay: Duration::from_secs(3600),
            max_delay: Duration::from_secs(3600),
            forget_after: Duration::from_secs(3600),
        }),
        ..Options::default()
    })
    .await;
    let created = server
        .post(submission("9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", "Greta Gris").to_canonical_json())
        .await;
    assert_eq!(created.status(), 201);
    let reference = common::json_of(created).await["reference"]
        .as_str()
        .unwrap()
        .to_owned();

    // A wrong token and a missing one are the two free mistakes.
    problem(
        admin_get(&server, &reference, Some("guess")).await,
        401,
        "unauthorized",
    )
    .await;
    problem(
        admin_get(&server, &reference, None).await,
        401,
        "unauthorized",
    )
    .await;
    // The next wrong token is held back.
    let held = {
        let client = server.client.clone();
        let url = server.url(&format!("/api/submissions/{reference}"));
        tokio::spawn(async move { client.get(url).bearer_auth("guess").send().await })
    };
    let localhost = std::net::IpAddr::from([127, 0, 0, 1]);
    while server.state.admin_throttle.failures(localhost) < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The right one, from the same client, is answered at once, as often as it comes.
    for _ in 0..3 {
        let found = admin_get(&server, &reference, Some(TOKEN)).await;
        assert_eq!(found.status(), 200);
    }
    assert!(!held.is_finished(), "the wrong token is still waiting");
    held.abort();
    // The right token cleared the record: a typo after it is answered at once again.
    let typo = tokio::time::timeout(
        Duration::from_secs(60),
        admin_get(&server, &reference, Some("typo")),
    )
    .await
    .expect("a first mistake after the right token waits for nothing");
    problem(typo, 401, "unauthorized").await;
}
