//! Helpers shared by the crate's unit tests.

use serde_json::{Value, json};

use crate::answers::Answer;
use crate::definition::Definition;
use crate::formats::Date;
use crate::validate::Context;

/// 2026-11-23: the fixed "today" of every test.
pub(crate) fn cx() -> Context {
    Context {
        today: Date::new(2026, 11, 23).unwrap_or_else(|| unreachable!("a real date")),
    }
}

/// A text answer.
pub(crate) fn text(s: &str) -> Answer {
    Answer::Text(s.to_owned())
}

/// A valid definition around `steps`, with a fixed organisation, privacy notice and receiver.
pub(crate) fn definition_json(id: &str, version: &str, title: Value, steps: Value) -> Value {
    json!({
        "blankett": "1",
        "id": id,
        "version": version,
        "title": title,
        "organisation": { "name": "Exempelby kommun", "contact": { "email": "info@exempelby.se" } },
        "privacy": {
            "controller": "Kommunstyrelsen",
            "purpose": "Att handlägga ärendet.",
            "legal_basis": "Allmänt intresse",
            "retention": "Två år",
            "recipients": "Ingen",
            "rights_url": "https://exempelby.se/personuppgifter"
        },
        "submit": { "url": "/api/submissions" },
        "steps": steps
    })
}

/// [`definition_json`], loaded; panics with every diagnostic if it does not load.
pub(crate) fn test_definition(id: &str, version: &str, title: Value, steps: Value) -> Definition {
    match crate::load(&definition_json(id, version, title, steps).to_string()).into_result() {
        Ok(def) => def,
        Err(diagnostics) => panic!("the test definition does not load: {diagnostics:#?}"),
    }
}

/// The (field, code) of every issue the receiver finds in `sub`; panics if it accepts it or
/// refuses it as a whole.
pub(crate) fn refused(sub: &crate::Submission, def: &Definition) -> Vec<(String, &'static str)> {
    match sub.check(def, &cx()) {
        Err(crate::SubmissionError::Invalid(issues)) => issues
            .into_iter()
            .map(|i| (i.field, i.code.code()))
            .collect(),
        other => panic!("expected invalid answers, got {other:?}"),
    }
}
