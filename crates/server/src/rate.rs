//! A per-client rate limit for `POST /api/submissions`, off unless a deployment sets it
//! (`--submit-rate`): a token bucket per client that holds a minute's allowance and refills
//! steadily, so a client may send that many at once and then one per share of the minute.
//! A client is its IP address, an IPv6 client its /64 network ([`throttle::client_key`]).
//!
//! Behind a proxy every request comes from the proxy's address, so the limit would count
//! all citizens as one: there, leave it off and let the proxy limit by the real address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::{Client, client_ip};
use crate::problems::ApiError;
use crate::{AppState, throttle};

/// Refuses a `POST` with `429` and `Retry-After` when its client is over the receiver's
/// `--submit-rate`; everything else, and every request when the limit is off, passes.
pub async fn limit_submissions(
    State(app): State<Arc<AppState>>,
    client: Client,
    request: Request,
    next: Next,
) -> Response {
    if let Some(limit) = &app.submit_rate
        && request.method() == Method::POST
        && let Err(retry_after) = limit.take(client_ip(&client), Instant::now())
    {
        tracing::debug!("{}: over the submission rate", client_ip(&client));
        return ApiError::TooManyRequests { retry_after }.into_response();
    }
    next.run(request).await
}

/// How many clients are remembered at most; beyond it, those with a full bucket are forgotten.
const MAX_CLIENTS: usize = 10_000;

/// Submissions per minute per client, and each client's bucket.
#[derive(Debug)]
pub struct RateLimit {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

/// What is left of a client's allowance, as of `at`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    /// A limit of `per_minute` submissions a minute per client (at least 1).
    pub fn new(per_minute: u32) -> RateLimit {
        RateLimit {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn buckets(&self) -> MutexGuard<'_, HashMap<IpAddr, Bucket>> {
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes one submission from `client`'s allowance at `now`: `Ok`, or the whole seconds
    /// until it has one again.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let refill = |b: &Bucket| {
            let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
            (b.tokens + elapsed * per_second).min(capacity)
        };
        let mut buckets = self.buckets();
        if buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, b| refill(b) < capacity);
            if buckets.len() >= MAX_CLIENTS {
                // Only when that many clients are all sending at once: forget them all.
                buckets.clear();
            }
        }
        let bucket = buckets
            .entry(throttle::client_key(client))
            .or_insert(Bucket {
                tokens: capacity,
                at: now,
            });
        let tokens = refill(bucket);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            let wait = Duration::from_secs_f64((1.0 - tokens) / per_second);
            Err(wait
                .as_secs()
                .saturating_add(u64::from(wait.subsec_nanos() > 0))
                .max(1))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_minutes_allowance_at_once_then_one_per_share_of_the_minute() {
        let limit = RateLimit::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limit.take(ip("192.0.2.1"), start), Ok(()));
        }
        assert_eq!(limit.take(ip("192.0.2.1"), start), Err(20));
        // Another client has its own allowance.
        assert_eq!(limit.take(ip("192.0.2.2"), start), Ok(()));
        // One comes back every 20 seconds.
        assert_eq!(
            limit.take(ip("192.0.2.1"), start + Duration::from_secs(10)),
            Err(10)
        );
        assert_eq!(
            limit.take(ip("192.0.2.1"), start + Duration::from_secs(20)),
            Ok(())
        );
    }

    #[test]
    fn an_ipv6_client_is_its_network() {
        let limit = RateLimit::new(1);
        let now = Instant::now();
        assert_eq!(limit.take(ip("2001:db8:1:2::1"), now), Ok(()));
        assert!(limit.take(ip("2001:db8:1:2:ffff::9"), now).is_err());
        assert_eq!(limit.take(ip("2001:db8:1:3::1"), now), Ok(()));
    }

    #[test]
    fn memory_is_bounded() {
        let limit = RateLimit::new(60);
        let now = Instant::now();
        for n in 0..(MAX_CLIENTS as u32 + 100) {
            let _ = limit.take(IpAddr::from(n.to_be_bytes()), now);
        }
        let later = now + Duration::from_secs(60);
        let _ = limit.take(ip("192.0.2.1"), later);
        assert!(limit.buckets().len() <= MAX_CLIENTS);
    }
}
