//! Helpers shared by the crate's unit tests.

use serde_json::{Value, json};

use crate::definition::Definition;

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
