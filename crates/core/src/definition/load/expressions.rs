//! Reading expressions: JsonLogic, the short form of conditions on choices, and rules.

use serde_json::{Value, json};

use super::Cx;
use super::read::{Obj, Path, kind_of};
use crate::definition::diagnostic::Problem;
use crate::definition::model::*;
use crate::expr::Expr;

impl Cx {
    /// A JsonLogic expression; its field references are checked after the walk.
    pub(super) fn expression(&mut self, v: &Value, path: &Path) -> Option<Expression> {
        match Expr::compile(v) {
            Ok(expr) => {
                self.check_comparisons(v, path);
                let refs = referenced_fields(&expr)
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                self.expression_refs
                    .push((path.0.clone(), refs, self.repeat.clone()));
                Some(Expression(expr))
            }
            Err(errors) => {
                for e in errors {
                    let at = if e.path.is_empty() {
                        path.clone()
                    } else {
                        Path(format!("{}.{}", path.0, e.path))
                    };
                    self.error(&at, Problem::Expression(e.kind));
                }
                None
            }
        }
    }

    /// A condition: a JsonLogic expression, or the short form for choices.
    pub(super) fn condition(&mut self, v: &Value, path: &Path) -> Option<Condition> {
        let Some(map) = v.as_object().filter(|m| m.contains_key("choice")) else {
            let expr = self.expression(v, path)?;
            return Some(Condition {
                source: v.clone(),
                choice: None,
                expr: expr.0,
            });
        };
        let obj = Obj {
            map,
            path: path.clone(),
        };
        self.unknown_keys(&obj, &["choice", "any_of", "all_of", "none_of"]);
        let (field_value, field_path) = obj.get("choice")?;
        let field = self.id(field_value, &field_path)?;
        let modes: Vec<&str> = ["any_of", "all_of", "none_of"]
            .into_iter()
            .filter(|m| map.contains_key(*m))
            .collect();
        let [mode] = modes.as_slice() else {
            self.error(path, Problem::ChoiceFormShape);
            return None;
        };
        let (values_json, values_path) = obj.get(mode)?;
        let Some(values) = values_json.as_array().filter(|a| !a.is_empty()) else {
            self.error(
                &values_path,
                Problem::WrongType {
                    expected: "a non-empty array",
                    found: kind_of(values_json),
                },
            );
            return None;
        };
        let Some((field_type, options)) = self.prescan.get(field.as_str()).cloned() else {
            self.error(&field_path, Problem::UnknownField(field.0.clone()));
            return None;
        };
        // The short form compares with the values the submission carries: yes/no are booleans.
        let mut wanted = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            let known = match field_type.as_str() {
                "yes_no" => match value.as_str() {
                    Some("yes") => Some(Value::Bool(true)),
                    Some("no") => Some(Value::Bool(false)),
                    _ => None,
                },
                "select" | "radio" | "checkboxes" => match &options {
                    Some(options) => options.contains(value).then(|| value.clone()),
                    // A code list is checked when it is fetched.
                    None => value.is_string().then(|| value.clone()),
                },
                _ => {
                    self.error(&field_path, Problem::NotAChoiceField(field.0.clone()));
                    return None;
                }
            };
            match known {
                Some(v) => wanted.push(v),
                None => {
                    let value = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned);
                    self.error(
                        &values_path.index(i),
                        Problem::UnknownOptionValue {
                            field: field.0.clone(),
                            value,
                        },
                    );
                    return None;
                }
            }
        }
        let var = json!({ "var": field.as_str() });
        let one = |w: &Value| {
            if field_type == "checkboxes" {
                json!({ "in": [w, var] })
            } else {
                json!({ "==": [var, w] })
            }
        };
        let any: Vec<Value> = wanted.iter().map(one).collect();
        let logic = match *mode {
            "any_of" => json!({ "or": any }),
            "all_of" => json!({ "and": any }),
            _ => json!({ "!": { "or": any } }),
        };
        let expr = self.expression(&logic, path)?;
        Some(Condition {
            source: v.clone(),
            choice: Some(field),
            expr: expr.0,
        })
    }

    /// Cross-field rules of a step or of the whole form.
    pub(super) fn rules(&mut self, v: &Value, path: &Path) -> Option<Vec<Rule>> {
        self.array(v, path, None, |cx, item, p| {
            let obj = cx.object(item, p)?;
            cx.unknown_keys(&obj, &["rule", "message", "fields"]);
            let rule = cx
                .required(&obj, "rule")
                .and_then(|(v, p)| cx.expression(v, &p));
            let message = cx
                .required(&obj, "message")
                .and_then(|(v, p)| cx.text(v, &p));
            let fields = cx.required(&obj, "fields").and_then(|(v, fp)| {
                let read = cx.array(v, &fp, Some(Problem::RuleWithoutFields), |cx, id, p| {
                    cx.id(id, p)
                });
                if let Some(read) = &read {
                    // The fields a message is shown at must exist and take an answer.
                    let targets = read.iter().map(|id| id.0.clone()).collect();
                    cx.expression_refs
                        .push((fp.0.clone(), targets, cx.repeat.clone()));
                }
                read
            });
            Some(Rule {
                rule: rule?,
                message: message?,
                fields: fields?,
            })
        })
    }
}

/// The field ids a parsed optional condition reads.
pub(super) fn condition_fields(c: &Result<Option<Condition>, ()>) -> Vec<String> {
    match c {
        Ok(Some(c)) => c.fields().into_iter().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}
