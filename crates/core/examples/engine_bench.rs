//! Engine timings for `cargo xtask bench`: loading and validating generated forms, and saving
//! and restoring drafts of them.
//!
//! Figures to read, not to assert. Run with `cargo run --release -p blankett-core --example engine_bench`.

use std::time::Instant;

use std::sync::Arc;

use blankett_core::{Answer, Answers, Context, Date, Draft, FormSession};

/// A generated definition: `n` fields over `n / 20` steps, mixed types.
fn generated_form(n: usize) -> String {
    let per_step = 20;
    let steps: Vec<String> = (0..n.div_ceil(per_step))
        .map(|s| {
            let fields: Vec<String> = (s * per_step..((s + 1) * per_step).min(n))
                .map(|i| match i % 5 {
                    // One condition per ten fields: shown when the field five before has an answer.
                    _ if i % 10 == 9 => format!(
                        r#"{{"id":"f{i}","type":"text","label":"Fält {i}","visible_if":{{"!!":{{"var":"f{}"}}}},"required_if":{{">":[{{"var":"f{}"}},50]}}}}"#,
                        i - 5,
                        i - 8
                    ),
                    0 => format!(r#"{{"id":"f{i}","type":"text","label":"Fält {i}","required":true,"max_length":200}}"#),
                    1 => format!(r#"{{"id":"f{i}","type":"integer","label":"Antal {i}","min":0,"max":100}}"#),
                    2 => format!(
                        r#"{{"id":"f{i}","type":"radio","label":"Val {i}","options":[{{"value":"a","label":"A"}},{{"value":"b","label":"B"}}]}}"#
                    ),
                    3 => format!(r#"{{"id":"f{i}","type":"personnummer","label":"Personnummer {i}"}}"#),
                    _ => format!(r#"{{"id":"f{i}","type":"date","label":"Datum {i}","min":"2000-01-01"}}"#),
                })
                .collect();
            format!(r#"{{"id":"s{s}","title":"Steg {s}","fields":[{}]}}"#, fields.join(","))
        })
        .collect();
    format!(
        r#"{{"blankett":"1","id":"bench","version":"1","title":"Bench","organisation":{{"name":"X","contact":{{"email":"a@b.se"}}}},
        "privacy":{{"controller":"X","purpose":"X","legal_basis":"X","retention":"X","recipients":"X","rights_url":"https://x.se"}},
        "submit":{{"url":"/api/submissions"}},"steps":[{}]}}"#,
        steps.join(",")
    )
}

fn answers_for(n: usize) -> Answers {
    let mut a = Answers::new();
    for i in 0..n {
        let v = match i % 5 {
            0 => "Storgatan 1",
            1 => "42",
            2 => "a",
            3 => "19121212-1212",
            _ => "2024-05-01",
        };
        a.set(format!("f{i}"), Answer::Text(v.into()));
    }
    a
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

fn main() {
    let cx = Context {
        today: Date::new(2026, 11, 23).unwrap_or_else(|| unreachable!()),
    };
    println!("\nEngine, native release build (µs; median / p95 over 50 runs)");
    println!(
        "{:<8}{:>22}{:>22}{:>28}",
        "fields", "load definition", "validate all answers", "conditions after a change"
    );
    for n in [20, 200, 1000] {
        let json = generated_form(n);
        let answers = answers_for(n);
        let mut load = Vec::new();
        let mut validate = Vec::new();
        let mut evaluate = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let loaded = blankett_core::load(&json);
            load.push(t.elapsed().as_secs_f64() * 1e6);
            let Some(def) = loaded.definition else {
                println!(
                    "{n:<8} generated form did not load: {:?}",
                    loaded.diagnostics.first()
                );
                return;
            };
            let t = Instant::now();
            let issues = blankett_core::validate::validate_form(&def, &answers, &cx);
            validate.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(issues);
            // One change, then every condition and computed value of the form again.
            let mut changed = answers.clone();
            changed.set("f1", Answer::Text(format!("{}", evaluate.len() % 100)));
            let t = Instant::now();
            let state = blankett_core::FormState::evaluate(&def, &changed, &cx);
            evaluate.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(state);
        }
        let (lm, lp) = percentiles(load);
        let (vm, vp) = percentiles(validate);
        let (em, ep) = percentiles(evaluate);
        println!(
            "{n:<8}{:>22}{:>22}{:>28}",
            format!("{lm:.0} / {lp:.0}"),
            format!("{vm:.0} / {vp:.0}"),
            format!("{em:.0} / {ep:.0}")
        );
    }
    drafts(&cx);
}

/// A draft with an answer in every field: made and written as text (what autosave does before
/// the browser stores it), and read and restored (what continuing a draft does).
fn drafts(cx: &Context) {
    println!(
        "\nDrafts, native release build (µs; median / p95 over 50 runs; every field answered)"
    );
    println!(
        "{:<8}{:>14}{:>26}{:>26}",
        "fields", "draft, bytes", "save (to_draft + JSON)", "restore (JSON + restore)"
    );
    for n in [20, 200, 1000] {
        let Some(def) = blankett_core::load(&generated_form(n)).definition else {
            return;
        };
        let def = Arc::new(def);
        let mut session = FormSession::new(def.clone(), *cx);
        for (key, answer) in answers_for(n).iter() {
            session.set_answer(key, answer.clone());
        }
        let (mut save, mut restore, mut bytes) = (Vec::new(), Vec::new(), 0);
        for i in 0..50u64 {
            let t = Instant::now();
            let json = session.to_draft("d", 0, i).to_json();
            save.push(t.elapsed().as_secs_f64() * 1e6);
            bytes = json.len();
            let t = Instant::now();
            let restored = Draft::from_json(&json)
                .ok()
                .and_then(|d| FormSession::restore(def.clone(), *cx, &d, None).ok());
            restore.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(restored);
        }
        let (sm, sp) = percentiles(save);
        let (rm, rp) = percentiles(restore);
        println!(
            "{n:<8}{bytes:>14}{:>26}{:>26}",
            format!("{sm:.0} / {sp:.0}"),
            format!("{rm:.0} / {rp:.0}")
        );
    }
}
