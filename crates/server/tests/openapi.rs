//! The contract, `docs/api/openapi.yaml`: its examples follow its own schemas, it names every
//! refusal the receiver makes, and the reference receiver's real answers follow the schema
//! the document gives for their path, method and status.
//!
//! The schemas are checked by a small validator for the part of JSON Schema the document
//! uses (`type`, `required`, `properties`, `additionalProperties`, `enum`, `const`, `items`,
//! `minItems`, `minLength`, `pattern`, `format`, `allOf`, `anyOf`, `not`, and `$ref` into the
//! document); a keyword it does not know fails the test, so the document cannot say more
//! than is checked.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use blankett_server::conformance::{Signer, new_uuid};
use common::{Options, TestServer, start, submission};
use serde_json::Value;

const TOKEN: &str = "openapi-admin-token";

/// The contract, as JSON.
fn contract() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api/openapi.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// A small JSON Schema validator over the document's components.
struct Validator<'a> {
    root: &'a Value,
}

/// Keywords that only describe.
const ANNOTATIONS: [&str; 5] = ["description", "examples", "example", "title", "deprecated"];

impl<'a> Validator<'a> {
    /// What a local `$ref` points at.
    fn pointer(&self, reference: &str) -> &'a Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references are checked: {reference}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{reference} points at nothing"))
    }

    /// An object that may be a `$ref` (responses, headers, parameters), resolved.
    fn resolve(&self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => self.resolve(self.pointer(r)),
            None => value,
        }
    }

    /// Every way `value` breaks `schema`, with its JSON path.
    fn errors(&self, schema: &Value, value: &Value, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.check(schema, value, at, &mut out);
        out
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
        let schema = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return out.push(format!("{at}: nothing is allowed here")),
            Value::Object(schema) => schema,
            other => panic!("{at}: a schema must be an object, not {other}"),
        };
        for (keyword, arg) in schema {
            match keyword.as_str() {
                "$ref" => self.check(self.pointer(arg.as_str().unwrap()), value, at, out),
                "type" => {
                    let types: Vec<&str> = match arg {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
                        _ => panic!("{at}: bad type {arg}"),
                    };
                    if !types.iter().any(|t| has_type(value, t)) {
                        out.push(format!("{at}: {value} is not of type {types:?}"));
                    }
                }
                "required" => {
                    if let Value::Object(map) = value {
                        for name in arg.as_array().unwrap() {
                            let name = name.as_str().unwrap();
                            if !map.contains_key(name) {
                                out.push(format!("{at}: \"{name}\" is missing"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let Value::Object(map) = value {
                        for (name, sub) in arg.as_object().unwrap() {
                            if let Some(v) = map.get(name) {
                                self.check(sub, v, &format!("{at}.{name}"), out);
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    if let Value::Object(map) = value {
                        let known = schema.get("properties").and_then(Value::as_object);
                        for (name, v) in map {
                            if known.is_none_or(|k| !k.contains_key(name)) {
                                self.check(arg, v, &format!("{at}.{name}"), out);
                            }
                        }
                    }
                }
                "items" => {
                    if let Value::Array(items) = value {
                        for (i, v) in items.iter().enumerate() {
                            self.check(arg, v, &format!("{at}[{i}]"), out);
                        }
                    }
                }
                "minItems" => {
                    if let Value::Array(items) = value
                        && (items.len() as u64) < arg.as_u64().unwrap()
                    {
                        out.push(format!("{at}: fewer than {arg} items"));
                    }
                }
                "minLength" => {
                    if let Value::String(s) = value
                        && (s.chars().count() as u64) < arg.as_u64().unwrap()
                    {
                        out.push(format!("{at}: shorter than {arg}"));
                    }
                }
                "pattern" => {
                    let re = regex_lite::Regex::new(arg.as_str().unwrap()).unwrap();
                    if let Value::String(s) = value
                        && !re.is_match(s)
                    {
                        out.push(format!("{at}: \"{s}\" does not match {arg}"));
                    }
                }
                "format" => {
                    if let Value::String(s) = value {
                        let ok = match arg.as_str().unwrap() {
                            "date-time" => is_date_time(s),
                            "uuid" => is_uuid(s),
                            other => panic!("{at}: format {other} is not checked"),
                        };
                        if !ok {
                            out.push(format!("{at}: \"{s}\" is not a {arg}"));
                        }
                    }
                }
                "enum" => {
                    if !arg.as_array().unwrap().contains(value) {
                        out.push(format!("{at}: {value} is not one of {arg}"));
                    }
                }
                "const" => {
                    if arg != value {
                        out.push(format!("{at}: {value} is not {arg}"));
                    }
                }
                "allOf" => {
                    for sub in arg.as_array().unwrap() {
                        self.check(sub, value, at, out);
                    }
                }
                "anyOf" => {
                    let fits = arg
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|sub| self.errors(sub, value, at).is_empty());
                    if !fits {
                        out.push(format!("{at}: {value} fits none of anyOf"));
                    }
                }
                "not" => {
                    if self.errors(arg, value, at).is_empty() {
                        out.push(format!("{at}: {value} must not match {arg}"));
                    }
                }
                k if ANNOTATIONS.contains(&k) => {}
                k => panic!("{at}: the checker does not know the keyword \"{k}\""),
            }
        }
    }
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown type {other}"),
    }
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_date_time(s: &str) -> bool {
    regex_lite::Regex::new(
        r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
    )
    .unwrap()
    .is_match(s)
}

/// The essence of a media type: `application/json; charset=utf-8` → `application/json`.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// An operation's response for a status, resolved.
fn response<'a>(v: &Validator<'a>, path: &str, method: &str, status: u16) -> &'a Value {
    let operation = &v.root["paths"][path][method];
    assert!(
        operation.is_object(),
        "{method} {path} is not in the contract"
    );
    let response = &operation["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} has no response {status} in the contract"
    );
    v.resolve(response)
}

/// A real answer, as read off the wire.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

async fn read(response: reqwest::Response) -> Answer {
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// Asserts that a real answer follows the contract for its path, method and status: a
/// documented status, every required header, a documented media type, and a body that
/// follows that media type's schema. Returns the body.
fn assert_follows(v: &Validator<'_>, path: &str, method: &str, answer: &Answer) -> Value {
    let documented = response(v, path, method, answer.status);
    for (name, header) in documented
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let header = v.resolve(header);
        if header["required"] == Value::Bool(true) {
            let value = answer.headers.get(name.as_str());
            assert!(
                value.is_some(),
                "{method} {path} {}: no {name} header",
                answer.status
            );
            let value = Value::String(value.unwrap().to_str().unwrap().to_owned());
            let errors = v.errors(&header["schema"], &value, name);
            assert!(errors.is_empty(), "{errors:?}");
        }
    }
    let content_type = answer
        .headers
        .get("content-type")
        .map(|c| essence(c.to_str().unwrap()))
        .unwrap_or_default();
    let media = &documented["content"][content_type.as_str()];
    assert!(
        media.is_object(),
        "{method} {path} {}: {content_type} is not a documented media type",
        answer.status
    );
    let body: Value = serde_json::from_slice(&answer.body).unwrap();
    let errors = v.errors(&media["schema"], &body, "body");
    assert!(
        errors.is_empty(),
        "{method} {path} {}: {body} breaks the contract: {errors:#?}",
        answer.status
    );
    body
}

/// The answer to an admin `GET` of `path` with the admin token.
async fn admin_get(server: &TestServer, path: &str) -> Answer {
    read(
        server
            .client
            .get(server.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// POSTs `body` to the server's `/api/submissions` with these header fields.
async fn post(server: &TestServer, fields: &[(String, String)], body: &str) -> Answer {
    let mut request = server.client.post(server.url("/api/submissions"));
    for (name, value) in fields {
        request = request.header(name.as_str(), value.as_str());
    }
    read(request.body(body.to_owned()).send().await.unwrap()).await
}

/// POSTs `body` signed by `signer` as the profile says.
async fn post_signed(server: &TestServer, signer: &Signer, body: &str, id: &str) -> Answer {
    let url = server.url("/api/submissions");
    let fields = signer.sign(&url, body.as_bytes(), id).unwrap();
    post(server, &fields, body).await
}

#[test]
fn every_example_follows_its_schema() {
    let doc = contract();
    let v = Validator { root: &doc };
    assert_eq!(doc["openapi"], "3.1.0");
    let mut checked = 0;
    let mut check_media = |what: &str, media: &Value| {
        let schema = &media["schema"];
        let examples = media["examples"].as_object();
        assert!(
            examples.is_some_and(|e| !e.is_empty()),
            "{what}: no examples"
        );
        for (name, example) in examples.unwrap() {
            let errors = v.errors(schema, &example["value"], &format!("{what} {name}"));
            assert!(errors.is_empty(), "{errors:#?}");
            checked += 1;
        }
    };
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            assert!(
                operation["description"].is_string(),
                "{what}: no description"
            );
            if let Some(body) = operation.get("requestBody") {
                for (media_type, media) in body["content"].as_object().unwrap() {
                    check_media(&format!("{what} request {media_type}"), media);
                }
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                let response = v.resolve(response);
                assert!(
                    response["description"].is_string(),
                    "{what} {status}: no description"
                );
                for (media_type, media) in response["content"].as_object().into_iter().flatten() {
                    check_media(&format!("{what} {status} {media_type}"), media);
                }
                for (name, header) in response["headers"].as_object().into_iter().flatten() {
                    let header = v.resolve(header);
                    let errors = v.errors(&header["schema"], &header["example"], name);
                    assert!(
                        header["example"].is_string() && errors.is_empty(),
                        "{what} {status} {name}: {errors:?}"
                    );
                }
            }
        }
    }
    for (name, parameter) in doc["components"]["parameters"].as_object().unwrap() {
        let errors = v.errors(&parameter["schema"], &parameter["example"], name);
        assert!(
            parameter["example"].is_string() && errors.is_empty(),
            "{name}: {errors:?}"
        );
    }
    assert!(checked >= 37, "only {checked} examples");
}

#[test]
fn every_problem_example_is_its_own_code() {
    let doc = contract();
    for (name, response) in doc["components"]["responses"].as_object().unwrap() {
        for media in response["content"].as_object().into_iter().flatten() {
            for (key, example) in media.1["examples"].as_object().into_iter().flatten() {
                let value = &example["value"];
                assert_eq!(value["code"], key.as_str(), "{name} {key}");
                assert_eq!(value["type"], format!("/problems/{key}"), "{name} {key}");
            }
        }
    }
}

#[test]
fn the_contract_names_every_refusal_the_receiver_makes() {
    let doc = contract();
    let listed = doc["components"]["schemas"]["ProblemCode"]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    let source = include_str!("../src/problems.rs");
    let code = regex_lite::Regex::new(r#"\(S::[A-Z_]+, "([a-z_]+)""#).unwrap();
    let mut found = 0;
    for capture in code.captures_iter(source) {
        let code = &capture[1];
        assert!(
            listed.contains(&format!("`{code}`")),
            "the receiver refuses with \"{code}\", which openapi.yaml does not list"
        );
        found += 1;
    }
    assert!(found >= 20, "only {found} codes found in problems.rs");
    // The 422 codes come from the engine.
    for code in [
        "invalid_answers",
        "version_mismatch",
        "unsupported_format",
        "invalid_submission_id",
        "unsupported_language",
        "wrong_form",
    ] {
        assert!(listed.contains(&format!("`{code}`")), "{code}");
    }
    // Every signature refusal of the profile has an example.
    let text = serde_json::to_string(&doc).unwrap();
    for code in [
        "digest_missing",
        "digest_unsupported",
        "digest_mismatch",
        "signature_missing",
        "signature_malformed",
        "signature_incomplete",
        "signature_algorithm",
        "signature_key",
        "signature_expired",
        "signature_invalid",
        "signature_replayed",
        "idempotency_key_mismatch",
    ] {
        assert!(text.contains(&format!("/problems/{code}")), "{code}");
    }
}

#[tokio::test]
async fn the_reference_receivers_answers_follow_the_contract() {
    let doc = contract();
    let v = Validator { root: &doc };
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        ..Options::default()
    })
    .await;
    let signer = Signer::generate().unwrap();
    let submissions = "/api/submissions";

    // 201, then 200 for the same body signed again.
    let id = new_uuid();
    let body = submission(&id, "Greta Gris").to_canonical_json();
    let created = post_signed(&server, &signer, &body, &id).await;
    assert_eq!(created.status, 201);
    let receipt = assert_follows(&v, submissions, "post", &created);
    let again = post_signed(&server, &signer, &body, &id).await;
    assert_eq!(again.status, 200);
    assert_eq!(assert_follows(&v, submissions, "post", &again), receipt);

    // The stored submission, for the admin; 401 without the token; 404 for no such one.
    let reference = receipt["reference"].as_str().unwrap();
    let path = "/api/submissions/{reference}";
    let stored = admin_get(&server, &format!("/api/submissions/{reference}")).await;
    assert_eq!(stored.status, 200);
    assert_follows(&v, path, "get", &stored);
    let unauthorized = read(server.get(&format!("/api/submissions/{reference}")).await).await;
    assert_eq!(unauthorized.status, 401);
    assert_follows(&v, path, "get", &unauthorized);
    let unknown = admin_get(&server, "/api/submissions/B-1999-000001").await;
    assert_eq!(unknown.status, 404);
    assert_follows(&v, path, "get", &unknown);

    // 409: another body under the same id.
    let other = submission(&id, "Greta Grå").to_canonical_json();
    let conflict = post_signed(&server, &signer, &other, &id).await;
    assert_eq!(conflict.status, 409);
    assert_follows(&v, submissions, "post", &conflict);

    // 422 with errors.
    let id = new_uuid();
    let mut invalid = submission(&id, "Greta");
    invalid.answers.remove("name");
    let unprocessable = post_signed(&server, &signer, &invalid.to_canonical_json(), &id).await;
    assert_eq!(unprocessable.status, 422);
    let problem = assert_follows(&v, submissions, "post", &unprocessable);
    assert_eq!(problem["errors"][0]["field"], "name");

    // 415: signed as text/plain.
    let id = new_uuid();
    let body = submission(&id, "Greta").to_canonical_json();
    let url = server.url(submissions);
    let mut signing = signer.signing(body.as_bytes(), &id);
    signing.content_type = "text/plain".into();
    let fields = signer.signed_fields(&url, &signing).unwrap();
    let unsupported = post(&server, &fields, &body).await;
    assert_eq!(unsupported.status, 415);
    assert_follows(&v, submissions, "post", &unsupported);

    // 404: a form the receiver does not have.
    let id = new_uuid();
    let mut unknown_form = submission(&id, "Greta");
    unknown_form.form_id = "nope".into();
    let not_found = post_signed(&server, &signer, &unknown_form.to_canonical_json(), &id).await;
    assert_eq!(not_found.status, 404);
    assert_follows(&v, submissions, "post", &not_found);

    // 401: no signature; and with a stale one, with the receiver's Date.
    let id = new_uuid();
    let body = submission(&id, "Greta").to_canonical_json();
    let unsigned = signer.unsigned_fields(&signer.signing(body.as_bytes(), &id));
    let missing = post(&server, &unsigned, &body).await;
    assert_eq!(missing.status, 401);
    let problem = assert_follows(&v, submissions, "post", &missing);
    assert_eq!(problem["code"], "signature_missing");
    let mut signing = signer.signing(body.as_bytes(), &id);
    signing.created -= 3600;
    let stale = post(
        &server,
        &signer.signed_fields(&url, &signing).unwrap(),
        &body,
    )
    .await;
    assert_eq!(stale.status, 401);
    assert_eq!(
        assert_follows(&v, submissions, "post", &stale)["code"],
        "signature_expired"
    );

    // 400: the body changed under its digest; and not JSON at all.
    let fields = signer.sign(&url, body.as_bytes(), &id).unwrap();
    let changed = post(&server, &fields, &body.replace("Greta", "Gösta")).await;
    assert_eq!(changed.status, 400);
    assert_eq!(
        assert_follows(&v, submissions, "post", &changed)["code"],
        "digest_mismatch"
    );
    let not_json = r#"{"blankett_submission":"1""#;
    let bad = post_signed(&server, &signer, not_json, &id).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        assert_follows(&v, submissions, "post", &bad)["code"],
        "malformed_json"
    );
    let twice = r#"{"blankett_submission":"1","answers":{"name":"Greta","name":"Bo"}}"#;
    let duplicate = post_signed(&server, &signer, twice, &id).await;
    assert_eq!(duplicate.status, 400);
    let problem = assert_follows(&v, submissions, "post", &duplicate);
    assert_eq!(problem["code"], "duplicate_key");
    assert_eq!(problem["path"], "answers.name");

    // 413: over the test server's 16 KiB.
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(20 * 1024));
    let too_large = post_signed(&server, &signer, &big, &id).await;
    assert_eq!(too_large.status, 413);
    assert_follows(&v, submissions, "post", &too_large);

    // The JWK Set, and the receipt's key is in it.
    let jwks = read(server.get("/.well-known/jwks.json").await).await;
    assert_eq!(jwks.status, 200);
    let set = assert_follows(&v, "/.well-known/jwks.json", "get", &jwks);
    let keyid = created.headers["signature-input"]
        .to_str()
        .unwrap()
        .to_owned();
    let kid = set["keys"][0]["kid"].as_str().unwrap();
    assert!(keyid.contains(&format!("keyid=\"{kid}\"")), "{keyid}");

    // The forms.
    let forms = read(server.get("/api/forms").await).await;
    assert_eq!(forms.status, 200);
    let list = assert_follows(&v, "/api/forms", "get", &forms);
    assert!(list.as_array().unwrap().iter().any(|f| f["id"] == "test"));
    let form = read(server.get("/forms/test.json").await).await;
    assert_eq!(form.status, 200);
    assert_follows(&v, "/forms/{form}.json", "get", &form);
}

/// A raw answer as [`Answer`], for [`assert_follows`].
fn answer_of(raw: common::RawAnswer) -> Answer {
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in raw.headers {
        headers.append(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    Answer {
        status: raw.status,
        headers,
        body: raw.body,
    }
}

#[tokio::test]
async fn a_long_target_and_large_header_fields_are_problem_documents() {
    let doc = contract();
    let v = Validator { root: &doc };
    let server = start(Options::default()).await;
    let cases = [
        // Over the receiver's own limits: refused by its middleware.
        (
            "target of 9 KiB",
            common::long_target_request(9 * 1024),
            414,
        ),
        (
            "a 70 KiB field",
            common::large_header_request(70 * 1024, 0),
            431,
        ),
        // Over hyper's: refused before the router, rewritten on the connection.
        (
            "target of 70,000 bytes",
            common::long_target_request(70_000),
            414,
        ),
        ("120 fields", common::large_header_request(0, 120), 431),
        (
            "a 500 KiB field",
            common::large_header_request(500 * 1024, 0),
            431,
        ),
    ];
    for (what, request, status) in cases {
        let answer = answer_of(common::raw_request(&server.base, &request).await);
        assert_eq!(answer.status, status, "{what}");
        let problem = assert_follows(&v, "/api/submissions", "post", &answer);
        let code = if status == 414 {
            "uri_too_long"
        } else {
            "header_fields_too_large"
        };
        assert_eq!(problem["code"], code, "{what}");
        assert_eq!(
            answer.headers["x-content-type-options"], "nosniff",
            "{what}"
        );
    }
    // The connection still serves the next request after a refusal by the middleware.
    let fine = server.get("/healthz").await;
    assert_eq!(fine.status(), 200);
}

#[test]
fn the_validator_catches_what_it_claims_to() {
    let doc = contract();
    let v = Validator { root: &doc };
    let problem = serde_json::json!({ "$ref": "#/components/schemas/Problem" });
    let good = serde_json::json!({
        "type": "/problems/x", "title": "X", "status": 400, "code": "x",
        "detail": { "sv": "a", "en": "b" }, "errors": []
    });
    assert!(v.errors(&problem, &good, "p").is_empty());
    let mut bad = good.clone();
    bad["detail"] = "text".into();
    assert!(!v.errors(&problem, &bad, "p").is_empty());
    let mut bad = good.clone();
    bad["type"] = "about:blank".into();
    assert!(!v.errors(&problem, &bad, "p").is_empty());
    let mut bad = good.clone();
    bad.as_object_mut().unwrap().remove("errors");
    assert!(!v.errors(&problem, &bad, "p").is_empty());
    let conflict = response(&v, "/api/submissions", "post", 409);
    let schema = &conflict["content"]["application/problem+json"]["schema"];
    assert!(
        !v.errors(schema, &good, "p").is_empty(),
        "the code must be submission_id_conflict"
    );
    let jwk = serde_json::json!({ "$ref": "#/components/schemas/Jwk" });
    let private =
        serde_json::json!({ "kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "secret" });
    assert!(
        !v.errors(&jwk, &private, "k").is_empty(),
        "a private key must not pass"
    );
    let submission = serde_json::json!({ "$ref": "#/components/schemas/Submission" });
    let extra = serde_json::json!({
        "blankett_submission": "1", "submission_id": "0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6d",
        "form_id": "f", "form_version": "1", "language": "sv", "answers": {}, "more": 1
    });
    assert!(!v.errors(&submission, &extra, "s").is_empty());
}

/// Uploads and the claim of their files follow the contract too (issue 18): 201 and 200
/// with the file's description, every refusal a documented problem.
#[tokio::test]
async fn the_reference_receivers_upload_answers_follow_the_contract() {
    let doc = contract();
    let v = Validator { root: &doc };
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        extra_forms: vec![("bilagor.json".into(), common::file_form())],
        ..Options::default()
    })
    .await;
    let signer = Signer::generate().unwrap();
    let files = "/api/submissions/{id}/files/{sha256}";
    let id = new_uuid();
    let put = |bytes: Vec<u8>, sha256: String, media_type: &'static str| {
        let url = server.url(&format!("/api/submissions/{id}/files/{sha256}"));
        let mut s = signer.signing(&bytes, &id);
        s.content_type = media_type.into();
        let fields = signer.signed_request_fields("PUT", &url, &s).unwrap();
        let mut request = server.client.put(url).body(bytes);
        for (name, value) in &fields {
            request = request.header(name.as_str(), value.as_str());
        }
        async move { read(request.send().await.unwrap()).await }
    };
    let hash = blankett_core::signing::sha256_hex;
    let pdf = b"%PDF-1.7\n% contract\n%%EOF\n".to_vec();
    let created = put(pdf.clone(), hash(&pdf), "application/pdf").await;
    assert_eq!(created.status, 201);
    let described = assert_follows(&v, files, "put", &created);
    let again = put(pdf.clone(), hash(&pdf), "application/pdf").await;
    assert_eq!(again.status, 200);
    assert_eq!(assert_follows(&v, files, "put", &again), described);
    for (bytes, sha256, media_type, status, code) in [
        (
            pdf.clone(),
            hash(b"other"),
            "application/pdf",
            400,
            "digest_mismatch",
        ),
        (
            b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(),
            hash(b"\x7fELF\x02\x01\x01\0\0\0\0\0"),
            "application/pdf",
            415,
            "file_type",
        ),
    ] {
        let refused = put(bytes, sha256, media_type).await;
        assert_eq!(refused.status, status, "{code}");
        assert_eq!(assert_follows(&v, files, "put", &refused)["code"], code);
    }
    // Over the limit by its Content-Length: answered on the head alone.
    let head = format!(
        "PUT /api/submissions/{id}/files/{} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
         content-type: application/pdf\r\ncontent-length: {}\r\n\r\n",
        hash(b"x"),
        11 * 1024 * 1024
    );
    let too_large = answer_of(common::raw_request(&server.base, head.as_bytes()).await);
    assert_eq!(too_large.status, 413);
    assert_eq!(
        assert_follows(&v, files, "put", &too_large)["code"],
        "file_too_large"
    );
    // A submission naming a file never uploaded.
    let def = blankett_core::load(&common::file_form())
        .definition
        .unwrap();
    let mut answers = blankett_core::Answers::new();
    answers.set("namn", blankett_core::Answer::Text("Anna".into()));
    answers.set(
        "plan",
        blankett_core::Answer::Files(vec![blankett_core::FileRef {
            name: "plan.pdf".into(),
            media_type: "application/pdf".into(),
            size: 3,
            sha256: hash(b"%PDF"),
        }]),
    );
    let today = blankett_core::Context {
        today: blankett_core::Date::new(2026, 1, 15).unwrap(),
    };
    let body =
        blankett_core::Submission::build(&def, &answers, blankett_core::Lang::Sv, &id, &today)
            .unwrap()
            .to_canonical_json();
    let missing = post_signed(&server, &signer, &body, &id).await;
    assert_eq!(missing.status, 422);
    let problem = assert_follows(&v, "/api/submissions", "post", &missing);
    assert_eq!(problem["code"], "files_missing");
    assert_eq!(problem["errors"][0]["field"], "plan");
    // The admin read of a file a case does not have.
    let unknown = admin_get(
        &server,
        &format!("/api/submissions/B-2026-000001/files/{}", hash(b"x")),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        assert_follows(&v, files, "get", &unknown)["code"],
        "unknown_reference"
    );
}
