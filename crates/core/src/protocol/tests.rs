use super::*;

const RECEIPT: &str = r#"{"reference":"B-2026-000042","submission_id":"7d0c6a8e-3f47-4d8e-9a53-1a0a7a6c9b11","received_at":"2026-12-04T10:41:00Z"}"#;

fn receipt() -> Receipt {
    Receipt {
        reference: "B-2026-000042".into(),
        submission_id: "7d0c6a8e-3f47-4d8e-9a53-1a0a7a6c9b11".into(),
        received_at: "2026-12-04T10:41:00Z".into(),
    }
}

fn problem_body(status: u16, code: &str, errors: &str) -> String {
    format!(
        r#"{{"type":"/problems/{code}","title":"T","status":{status},"code":"{code}","detail":{{"sv":"Svensk text.","en":"English text."}},"errors":{errors}}}"#
    )
}

fn detail() -> Option<Localized> {
    Some(Localized::new("Svensk text.", "English text."))
}

#[test]
fn created_and_repeated_submissions_are_received() {
    assert_eq!(
        SendOutcome::from_reply(201, RECEIPT),
        SendOutcome::Received(receipt())
    );
    assert_eq!(
        SendOutcome::from_reply(200, RECEIPT),
        SendOutcome::Received(receipt())
    );
}

#[test]
fn a_success_status_without_a_receipt_is_asked_again() {
    for body in [
        "",
        "not json",
        "{}",
        r#"{"reference":" ","submission_id":"x","received_at":"y"}"#,
    ] {
        assert_eq!(
            SendOutcome::from_reply(201, body),
            SendOutcome::TryAgain {
                status: Some(201),
                detail: None
            },
            "{body:?}"
        );
    }
    assert_eq!(
        SendOutcome::from_reply(204, ""),
        SendOutcome::TryAgain {
            status: Some(204),
            detail: None
        }
    );
}

#[test]
fn refused_answers_become_issues_at_their_keys() {
    let body = problem_body(
        422,
        "invalid_answers",
        r#"[{"field":"personnummer","code":"personnummer_checksum","message":{"sv":"Personnumret stämmer inte.","en":"Wrong."}},
            {"field":"syskon[1].syskon_namn","code":"required","message":"Fyll i."}]"#,
    );
    let SendOutcome::Invalid { issues, detail: d } = SendOutcome::from_reply(422, &body) else {
        panic!("not Invalid");
    };
    assert_eq!(d, detail());
    let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["personnummer", "syskon[1].syskon_namn"]);
    assert_eq!(
        issues[0].code.message(Lang::Sv),
        "Personnumret stämmer inte."
    );
    assert_eq!(issues[0].code.message(Lang::En), "Wrong.");
    // A plain-string message (as another backend may write it) is the same in both languages.
    assert_eq!(issues[1].code.message(Lang::En), "Fyll i.");
}

#[test]
fn a_422_without_field_errors_is_a_refusal_with_its_detail() {
    for body in [
        problem_body(422, "version_mismatch", "[]"),
        problem_body(422, "version_mismatch", "null").replace(r#","errors":null"#, ""),
    ] {
        assert_eq!(
            SendOutcome::from_reply(422, &body),
            SendOutcome::Refused {
                status: 422,
                detail: detail()
            },
            "{body}"
        );
    }
    assert_eq!(
        SendOutcome::from_reply(422, "<html>Unprocessable</html>"),
        SendOutcome::Refused {
            status: 422,
            detail: None
        }
    );
}

#[test]
fn every_refusal_the_receiver_writes_is_read_with_its_detail() {
    for (status, code) in [
        (400, "malformed_json"),
        (400, "invalid_submission"),
        (401, "unauthorized"),
        (404, "unknown_form"),
        (405, "method_not_allowed"),
        (409, "submission_id_conflict"),
        (413, "payload_too_large"),
        (415, "unsupported_media_type"),
    ] {
        assert_eq!(
            SendOutcome::from_reply(status, &problem_body(status, code, "[]")),
            SendOutcome::Refused {
                status,
                detail: detail()
            },
            "{status} {code}"
        );
    }
}

#[test]
fn a_receiver_that_is_down_or_busy_is_asked_again_later() {
    for (status, code) in [
        (500, "internal_error"),
        (503, "storage_unavailable"),
        (429, "too_many_requests"),
        (408, "request_timeout"),
    ] {
        assert_eq!(
            SendOutcome::from_reply(status, &problem_body(status, code, "[]")),
            SendOutcome::TryAgain {
                status: Some(status),
                detail: detail()
            },
            "{status}"
        );
    }
    // A proxy's HTML error page: no detail, still worth another try.
    assert_eq!(
        SendOutcome::from_reply(502, "<html><body>Bad Gateway</body></html>"),
        SendOutcome::TryAgain {
            status: Some(502),
            detail: None
        }
    );
}

#[test]
fn problem_documents_from_other_backends_are_read_leniently() {
    // RFC 9457 alone: detail is a string, no code, no errors.
    let p: Problem =
        serde_json::from_str(r#"{"title":"Not Found","status":404,"detail":"No such form"}"#)
            .expect("a minimal problem");
    assert_eq!(p.type_, "about:blank");
    assert_eq!(
        p.detail,
        Some(Localized::new("No such form", "No such form"))
    );
    assert!(p.errors.is_empty());
    // Only one language given: it stands for both.
    let p: Problem = serde_json::from_str(r#"{"detail":{"en":"Gone"}}"#).expect("english only");
    assert_eq!(p.detail, Some(Localized::new("Gone", "Gone")));
    // A detail that is not text, or blank, is no detail.
    for body in [
        r#"{"detail":42}"#,
        r#"{"detail":{"sv":" "}}"#,
        r#"{"detail":null}"#,
    ] {
        let p: Problem = serde_json::from_str(body).expect(body);
        assert_eq!(p.detail, None, "{body}");
    }
}

#[test]
fn what_the_receiver_writes_reads_back_the_same() {
    let mut p = Problem::new(
        422,
        "invalid_answers",
        "Invalid answers",
        Localized::new(
            "1 svar följer inte formulärets regler",
            "1 answer breaks the form's rules",
        ),
    );
    p.errors.push(FieldError {
        field: "namn".into(),
        code: "required".into(),
        message: Localized::new("Fyll i det här fältet.", "Fill in this field."),
    });
    let json = serde_json::to_string(&p).expect("serializes");
    assert!(json.starts_with(r#"{"type":"/problems/invalid_answers","title":"Invalid answers","status":422,"code":"invalid_answers","detail":{"sv":"#), "{json}");
    assert_eq!(
        serde_json::from_str::<Problem>(&json).expect("reads back"),
        p
    );
    let r = serde_json::to_string(&receipt()).expect("serializes");
    assert_eq!(r, RECEIPT);
}
