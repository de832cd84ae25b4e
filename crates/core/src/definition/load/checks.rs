//! Checks across fields: what every field is before the walk, comparisons with the wrong
//! kind of value, and the references and cycles collected during the walk.

use std::collections::HashMap;

use serde_json::Value;

use super::Cx;
use super::read::Path;
use crate::definition::diagnostic::Problem;
use crate::definition::model::Definition;

/// Questions on one step above which the checker advises splitting it.
pub const ADVISED_STEP_QUESTIONS: usize = 25;
/// Questions on one step above which a definition is refused: rendering thousands of fields
/// at once can freeze a phone, and no real form needs it.
pub const MAX_STEP_QUESTIONS: usize = 500;

impl Cx {
    /// Warns about long steps and refuses absurd ones (questions counted inside groups and
    /// repeating groups' rows, once each).
    pub(super) fn check_step_sizes(&mut self, def: Option<&Definition>) {
        let Some(def) = def else {
            return;
        };
        for (i, step) in def.steps.iter().enumerate() {
            let questions = step.question_count();
            let path = Path(format!("steps[{i}]"));
            if questions > MAX_STEP_QUESTIONS {
                let problem = Problem::StepTooLong {
                    questions,
                    max: MAX_STEP_QUESTIONS,
                };
                self.error(&path, problem);
            } else if questions > ADVISED_STEP_QUESTIONS {
                let problem = Problem::LongStep {
                    questions,
                    advised: ADVISED_STEP_QUESTIONS,
                };
                self.warning(&path, problem);
            }
        }
    }

    /// Warns about comparisons that can never be true because the literal has the wrong type
    /// for the field (`{"==": [{"var": "yes_no_field"}, "yes"]}`) or is not one of its options.
    pub(super) fn check_comparisons(&mut self, v: &Value, path: &Path) {
        let Value::Object(map) = v else {
            if let Value::Array(items) = v {
                for (i, item) in items.iter().enumerate() {
                    self.check_comparisons(item, &path.index(i));
                }
            }
            return;
        };
        for (op, args) in map {
            let at = Path(format!("{}.{op}", path.0));
            if matches!(op.as_str(), "==" | "===" | "!=" | "!==")
                && let Some([a, b]) = args.as_array().map(Vec::as_slice)
            {
                for (var, literal) in [(a, b), (b, a)] {
                    let Some(id) = var.get("var").and_then(Value::as_str) else {
                        continue;
                    };
                    if literal.is_object() || literal.is_null() {
                        continue;
                    }
                    let Some((field_type, options)) = self.prescan.get(id) else {
                        continue;
                    };
                    let expected = match field_type.as_str() {
                        "yes_no" if !literal.is_boolean() => Some("true or false"),
                        "number" | "integer" if !literal.is_number() => Some("a number"),
                        "checkboxes" => Some("an array (test one option with \"in\")"),
                        "select" | "radio"
                            if options.as_ref().is_some_and(|o| !o.contains(literal)) =>
                        {
                            Some("one of the field's option values")
                        }
                        _ => None,
                    };
                    if let Some(expected) = expected {
                        let problem = Problem::ComparisonNeverTrue {
                            field: id.to_owned(),
                            literal: literal.to_string(),
                            expected,
                        };
                        self.warning(&at, problem);
                    }
                }
            }
            self.check_comparisons(args, &at);
        }
    }

    /// Every field an expression reads must exist and have a value.
    pub(super) fn check_expression_references(&mut self) {
        for (path, refs, scope) in std::mem::take(&mut self.expression_refs) {
            for id in refs {
                let repeat = self.row_fields.get(&id).cloned();
                match self.prescan.get(&id).map(|(t, _)| t.as_str()) {
                    None => self.error(&Path(path.clone()), Problem::UnknownField(id)),
                    Some("info" | "group") => {
                        self.error(&Path(path.clone()), Problem::NotAQuestion(id))
                    }
                    Some(_) => match repeat {
                        // A row's fields are read from that row only.
                        Some(repeat) if scope.as_ref() != Some(&repeat) => self.error(
                            &Path(path.clone()),
                            Problem::RowFieldOutside { field: id, repeat },
                        ),
                        _ => {}
                    },
                }
            }
        }
    }

    /// Visibility and computed values must not depend on themselves through other fields.
    pub(super) fn check_cycles(&mut self) {
        let deps: HashMap<&str, &[String]> = self
            .value_deps
            .iter()
            .map(|(id, _, d)| (id.as_str(), d.as_slice()))
            .collect();
        let paths: HashMap<&str, &str> = self
            .value_deps
            .iter()
            .map(|(id, p, _)| (id.as_str(), p.as_str()))
            .collect();
        // Iterative depth-first search with colours: 1 = on the stack, 2 = done.
        let mut colour: HashMap<&str, u8> = HashMap::new();
        let mut found: Vec<Vec<String>> = Vec::new();
        for (start, _, _) in &self.value_deps {
            if colour.contains_key(start.as_str()) {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
            colour.insert(start.as_str(), 1);
            while let Some((node, next)) = stack.pop() {
                let edges = deps.get(node).copied().unwrap_or_default();
                if let Some(dep) = edges.get(next) {
                    stack.push((node, next + 1));
                    let dep = dep.as_str();
                    match colour.get(dep) {
                        Some(1) => {
                            let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                            let mut cycle: Vec<String> =
                                stack[from..].iter().map(|(n, _)| (*n).to_owned()).collect();
                            cycle.push(dep.to_owned());
                            found.push(cycle);
                        }
                        Some(_) => {}
                        None if deps.contains_key(dep) => {
                            colour.insert(dep, 1);
                            stack.push((dep, 0));
                        }
                        None => {}
                    }
                } else {
                    colour.insert(node, 2);
                }
            }
        }
        let located: Vec<(String, Vec<String>)> = found
            .into_iter()
            .map(|cycle| {
                (
                    paths
                        .get(cycle[0].as_str())
                        .copied()
                        .unwrap_or("")
                        .to_owned(),
                    cycle,
                )
            })
            .collect();
        for (at, cycle) in located {
            self.error(&Path(at), Problem::Cycle(cycle));
        }
    }

    pub(super) fn check_references(&mut self, _def: Option<&Definition>) {
        let refs = std::mem::take(&mut self.references);
        for (path, from, target, scope) in refs {
            let path = Path(path);
            match self.questions.get(&target) {
                _ if from == target => self.error(&path, Problem::SelfReference),
                None => self.error(&path, Problem::UnknownField(target)),
                Some(false) => self.error(&path, Problem::NotAQuestion(target)),
                Some(true) => {
                    let target_repeat = self.row_fields.get(&target);
                    match (&scope, target_repeat) {
                        (Some(_), _) if scope.as_ref() != target_repeat => {
                            self.error(&path, Problem::MustMatchOutsideRow(target))
                        }
                        (None, Some(repeat)) => {
                            let repeat = repeat.clone();
                            self.error(
                                &path,
                                Problem::RowFieldOutside {
                                    field: target,
                                    repeat,
                                },
                            )
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// The type and option values of every field, read leniently before the checked walk.
pub(super) fn prescan(root: &Value) -> HashMap<String, (String, Option<Vec<Value>>)> {
    fn walk(fields: &Value, out: &mut HashMap<String, (String, Option<Vec<Value>>)>) {
        for field in fields.as_array().into_iter().flatten() {
            let (Some(id), Some(kind)) = (
                field.get("id").and_then(Value::as_str),
                field.get("type").and_then(Value::as_str),
            ) else {
                continue;
            };
            let options = if field.get("options_from").is_some() {
                None
            } else {
                Some(
                    field
                        .get("options")
                        .and_then(Value::as_array)
                        .map(|o| o.iter().filter_map(|o| o.get("value").cloned()).collect())
                        .unwrap_or_default(),
                )
            };
            out.entry(id.to_owned())
                .or_insert((kind.to_owned(), options));
            if let Some(inner) = field.get("fields") {
                walk(inner, out);
            }
        }
    }
    let mut out = HashMap::new();
    for step in root
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(fields) = step.get("fields") {
            walk(fields, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{ADVISED_STEP_QUESTIONS, MAX_STEP_QUESTIONS};
    use crate::Lang;
    use crate::definition::diagnostic::{Problem, Severity};
    use crate::definition::load_value;

    /// A one-step definition with `plain` text questions and a repeating group of `in_row`.
    fn step_with(plain: usize, in_row: usize) -> Value {
        let mut fields: Vec<Value> = (0..plain)
            .map(
                |i| json!({ "id": format!("f{i}"), "type": "text", "label": format!("Fråga {i}") }),
            )
            .collect();
        fields.push(json!({ "id": "about", "type": "info", "text": "Inte en fråga." }));
        if in_row > 0 {
            let row: Vec<Value> = (0..in_row)
                .map(|i| json!({ "id": format!("r{i}"), "type": "text", "label": format!("Rad {i}") }))
                .collect();
            fields.push(json!({ "id": "rows", "type": "repeat", "label": "Rader", "fields": row }));
        }
        crate::test_support::definition_json(
            "long",
            "1",
            json!("Långt"),
            json!([{ "id": "s", "title": "Allt", "fields": fields }]),
        )
    }

    #[test]
    fn long_steps_are_warned_about_and_absurd_ones_refused() {
        let fine = load_value(&step_with(ADVISED_STEP_QUESTIONS, 0));
        assert!(fine.definition.is_some());
        assert!(fine.diagnostics.is_empty(), "{:?}", fine.diagnostics);

        // Questions in a repeating group's row count once each; info texts not at all.
        let long = load_value(&step_with(ADVISED_STEP_QUESTIONS - 1, 2));
        assert!(long.definition.is_some(), "a warning, not an error");
        let [d] = long.diagnostics.as_slice() else {
            panic!("{:?}", long.diagnostics)
        };
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.path, "steps[0]");
        assert_eq!(
            d.problem,
            Problem::LongStep {
                questions: ADVISED_STEP_QUESTIONS + 1,
                advised: ADVISED_STEP_QUESTIONS
            }
        );
        assert!(
            d.line(Lang::Sv).contains("dela gärna upp det"),
            "{}",
            d.line(Lang::Sv)
        );

        let absurd = load_value(&step_with(MAX_STEP_QUESTIONS + 1, 0));
        assert!(absurd.definition.is_none(), "refused");
        let too_long: Vec<_> = absurd
            .diagnostics
            .iter()
            .filter(|d| matches!(d.problem, Problem::StepTooLong { .. }))
            .collect();
        assert_eq!(too_long.len(), 1);
        assert_eq!(too_long[0].severity, Severity::Error);
        assert!(
            too_long[0]
                .line(Lang::En)
                .contains("split it into several steps")
        );
    }
}
