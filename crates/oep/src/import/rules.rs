//! OEP's rules (evaluators) read and turned into declarative conditions: a question's state is
//! that of the last matching rule, else its default.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Importer, NoteKind, boolean, child, int, ints, list, sorted, text};

/// The option value of a choice question's free-text alternative.
pub(super) const FREE_TEXT: &str = "fritext";

/// The option value of OEP alternative `id`: what the answer holds and rules compare.
pub(super) fn option_value(id: i64) -> String {
    format!("a{id}")
}

/// A question's state in OEP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Visible,
    Required,
    Hidden,
}

impl State {
    pub(super) fn parse(s: &str) -> Option<State> {
        match s {
            "VISIBLE" => Some(State::Visible),
            "VISIBLE_REQUIRED" => Some(State::Required),
            "HIDDEN" => Some(State::Hidden),
            _ => None,
        }
    }
}

/// When something holds: always, never, or when an expression is true.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cond {
    Always,
    Never,
    When(Value),
}

impl Cond {
    /// Both: never when either is never, else the conditions together.
    pub(super) fn and(self, other: Cond) -> Cond {
        match (self, other) {
            (Cond::Never, _) | (_, Cond::Never) => Cond::Never,
            (Cond::Always, c) | (c, Cond::Always) => c,
            (Cond::When(a), Cond::When(b)) => Cond::When(json!({ "and": [a, b] })),
        }
    }
}

/// How a choice question's alternatives became options.
#[derive(Debug, Clone, Default)]
pub(super) struct Choice {
    /// The Blankett field holding the answer.
    pub(super) field: String,
    /// Several may be chosen.
    pub(super) multiple: bool,
    /// OEP alternative id → option value.
    pub(super) values: BTreeMap<i64, String>,
    /// The option value of the free-text alternative, if any.
    pub(super) free_text: Option<String>,
}

/// One rule, read.
pub(super) struct Rule {
    pub(super) source: i64,
    pub(super) name: String,
    pub(super) all: bool,
    pub(super) alternatives: Vec<i64>,
    pub(super) free_text: bool,
    pub(super) state: State,
    pub(super) targets: Vec<i64>,
    pub(super) sticky: bool,
}

impl<'a> Importer<'a> {
    pub(super) fn read_rules(&mut self) -> Vec<Rule> {
        let mut rules = Vec::new();
        for qi in 0..self.queries.len() {
            let node = self.queries[qi].node;
            let source = self.queries[qi].id;
            for e in sorted(list(node, "EvaluatorDescriptors", "EvaluatorDescriptor")) {
                let name = text(e, "name").unwrap_or_default();
                let at = format!("{} › ”{name}”", self.at(qi));
                if !boolean(e, "enabled") {
                    self.note(
                        NoteKind::NotConverted,
                        &at,
                        "Regeln är avstängd i OEP och följer inte med.",
                        "The rule is disabled in OEP and is left out.",
                    );
                    continue;
                }
                let Some(qse) = child(e, "QueryStateEvaluator") else {
                    self.note(
                        NoteKind::NotConverted,
                        &at,
                        "Regeltypen är inte en frågestatusregel (QueryStateEvaluator) och kan inte konverteras.",
                        "The rule is not a query state rule (QueryStateEvaluator) and cannot be converted.",
                    );
                    continue;
                };
                let Some(state) = text(qse, "queryState").and_then(|s| State::parse(&s)) else {
                    self.note(
                        NoteKind::NotConverted,
                        &at,
                        "Regeln anger ingen giltig frågestatus (queryState).",
                        "The rule gives no valid query state (queryState).",
                    );
                    continue;
                };
                let sticky = boolean(qse, "doNotResetQueryState");
                if sticky {
                    self.note(
                        NoteKind::Changed,
                        &at,
                        "”Återställ inte frågestatus” följer inte med: frågornas status följer alltid de nuvarande svaren.",
                        "\"Do not reset query state\" is not kept: the questions' state always follows the current answers.",
                    );
                }
                rules.push(Rule {
                    source,
                    name,
                    all: text(qse, "selectionMode").as_deref() == Some("ALL"),
                    alternatives: ints(qse, "RequiredAlternativeIDs", "alternativeID"),
                    free_text: boolean(qse, "freeTextAlternative"),
                    state,
                    targets: ints(e, "TargetQueryIDs", "queryID"),
                    sticky,
                });
            }
        }
        rules
    }

    /// Each question's visibility and requiredness: the last matching rule's state, else the
    /// default state. Choice fields must be converted first (their option values are needed).
    pub(super) fn resolve_states(&mut self, rules: &[Rule]) {
        // Choices are read first: conditions need their option values.
        for qi in 0..self.queries.len() {
            if let Some(choice) = self.choice_of(qi) {
                self.choices.insert(self.queries[qi].id, choice);
            }
        }
        for qi in 0..self.queries.len() {
            let target = self.queries[qi].id;
            let default = self.queries[qi].state;
            let mut applying: Vec<(Value, State)> = Vec::new();
            for rule in rules.iter().filter(|r| r.targets.contains(&target)) {
                let _ = rule.sticky;
                match self.rule_condition(rule) {
                    Some(cond) => applying.push((cond, rule.state)),
                    None => {
                        let source = self.queries.iter().position(|q| q.id == rule.source);
                        let at = source.map_or_else(String::new, |s| self.at(s));
                        self.note(
                            NoteKind::NotConverted,
                            &format!("{at} › ”{}”", rule.name),
                            "Regelns fråga kunde inte konverteras, så regeln följer inte med; målfrågan har alltid sin standardstatus.",
                            "The rule's question could not be converted, so the rule is left out; its target always has its default state.",
                        );
                    }
                }
            }
            let visible = chain(&applying, |s| s != State::Hidden, default != State::Hidden);
            let required = chain(
                &applying,
                |s| s == State::Required,
                default == State::Required,
            );
            self.states.insert(target, (visible, required));
        }
    }

    fn rule_condition(&self, rule: &Rule) -> Option<Value> {
        let choice = self.choices.get(&rule.source)?;
        let mut values: Vec<String> = rule
            .alternatives
            .iter()
            .filter_map(|a| choice.values.get(a).cloned())
            .collect();
        if rule.free_text
            && let Some(v) = &choice.free_text
        {
            values.push(v.clone());
        }
        if values.is_empty() {
            return None;
        }
        let var = json!({ "var": choice.field });
        let one = |v: &String| {
            if choice.multiple {
                json!({ "in": [v, var] })
            } else {
                json!({ "==": [var, v] })
            }
        };
        let parts: Vec<Value> = values.iter().map(one).collect();
        Some(if parts.len() == 1 {
            parts.into_iter().next().unwrap_or(Value::Null)
        } else if rule.all {
            json!({ "and": parts })
        } else {
            json!({ "or": parts })
        })
    }

    /// The choice fields whose answers show question `target` (by a rule that does not hide
    /// it), with their steps, in rule order.
    pub(super) fn shown_by(&self, rules: &[Rule], target: i64) -> Vec<(String, usize)> {
        rules
            .iter()
            .filter(|r| r.targets.contains(&target) && r.state != State::Hidden)
            .filter_map(|r| {
                let c = self.choices.get(&r.source)?;
                let q = self.queries.iter().find(|q| q.id == r.source)?;
                Some((c.field.clone(), q.step))
            })
            .collect()
    }

    /// The option values a choice question will have (without converting it yet).
    fn choice_of(&self, qi: usize) -> Option<Choice> {
        let q = &self.queries[qi];
        let config = q.config?;
        let field = format!("q{}", q.id);
        let (multiple, item) = match q.type_name.as_str() {
            "RadioButtonQuery" => (false, "RadioButtonAlternative"),
            "DropDownQuery" => (false, "DropDownAlternative"),
            "CheckboxQuery" => (true, "CheckboxAlternative"),
            "PersonDataInformerQuery" => {
                return Some(Choice {
                    field,
                    multiple: true,
                    values: BTreeMap::from([(1, "godkant".to_owned())]),
                    free_text: None,
                });
            }
            _ => return None,
        };
        let values = sorted(list(config, "Alternatives", item))
            .into_iter()
            .filter_map(|a| int(a, "alternativeID").map(|id| (id, option_value(id))))
            .collect();
        Some(Choice {
            field,
            multiple,
            values,
            free_text: text(config, "freeTextAlternative").map(|_| FREE_TEXT.to_owned()),
        })
    }
}

/// The state of the last matching rule as a condition, else the default: `{"if": [c_n, b_n, …, default]}`, simplified.
fn chain(rules: &[(Value, State)], pick: impl Fn(State) -> bool, default: bool) -> Cond {
    let branches: Vec<(Value, bool)> = rules.iter().map(|(c, s)| (c.clone(), pick(*s))).collect();
    let constant = |b: bool| if b { Cond::Always } else { Cond::Never };
    if branches.iter().all(|(_, b)| *b == default) {
        return constant(default);
    }
    if branches.iter().all(|(_, b)| *b != default) {
        let any = if branches.len() == 1 {
            branches[0].0.clone()
        } else {
            json!({ "or": branches.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>() })
        };
        return Cond::When(if default { json!({ "!": any }) } else { any });
    }
    let mut args = Vec::new();
    for (c, b) in branches.iter().rev() {
        args.push(c.clone());
        args.push(json!(b));
    }
    args.push(json!(default));
    Cond::When(json!({ "if": args }))
}
