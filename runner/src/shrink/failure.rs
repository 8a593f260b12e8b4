//! What a shrunk run must still show. Shrinking keeps a candidate only if it fails the same
//! way as the run it started from: the same property violated, on the same side of the
//! protocol's model (a bug inside it stays a bug; a failure outside it stays outside), the same
//! panic, or the event budget exhausted again. Another failure on the way is a different bug,
//! not a smaller one.

use serde::{Deserialize, Serialize};
use sim_core::{Outcome, RunReport, Violation};

/// How a run fails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "failure")]
pub enum Failure {
    /// The property of this name was violated.
    Violated {
        /// The property's name, as its protocol's table writes it.
        property: String,
        /// Whether the run that violated it stepped outside the protocol's model (see
        /// `Violation::outside_assumptions`).
        #[serde(default)]
        outside: bool,
    },
    /// The protocol panicked with this message.
    Panicked {
        /// The panic's message.
        message: String,
    },
    /// The run exhausted its event budget.
    BudgetExceeded,
}

impl Failure {
    /// How `report` fails: its violation of `property` if it has one, else its first
    /// violation (among several of the property, one on the `outside` side if asked and there
    /// is one), its panic or its budget overrun; `None` if it passed.
    pub fn of(
        report: &RunReport,
        property: Option<&str>,
        outside: Option<bool>,
    ) -> Option<Failure> {
        match &report.outcome {
            Outcome::Ok => None,
            Outcome::Panicked { message, .. } => Some(Failure::Panicked {
                message: message.clone(),
            }),
            Outcome::BudgetExceeded { .. } => Some(Failure::BudgetExceeded),
            Outcome::Violated => {
                let all = &report.violations;
                let named: Vec<&Violation> = all
                    .iter()
                    .filter(|v| Some(v.property.as_str()) == property)
                    .collect();
                let pool = if named.is_empty() {
                    all.iter().collect()
                } else {
                    named
                };
                let on_side = pool
                    .iter()
                    .find(|v| outside == Some(v.outside_assumptions.is_some()));
                on_side.or(pool.first()).map(|v| Failure::Violated {
                    property: v.property.clone(),
                    outside: v.outside_assumptions.is_some(),
                })
            }
        }
    }

    /// Whether `report` fails this way.
    pub fn shown_by(&self, report: &RunReport) -> bool {
        match (self, &report.outcome) {
            (Failure::Violated { property, outside }, Outcome::Violated) => report
                .violations
                .iter()
                .any(|v| &v.property == property && v.outside_assumptions.is_some() == *outside),
            (Failure::Panicked { message }, Outcome::Panicked { message: m, .. }) => m == message,
            (Failure::BudgetExceeded, Outcome::BudgetExceeded { .. }) => true,
            _ => false,
        }
    }

    /// The failure in a few words: `violates "agreement"`.
    pub fn describe(&self) -> String {
        match self {
            Failure::Violated {
                property,
                outside: false,
            } => format!("violates \"{property}\""),
            Failure::Violated {
                property,
                outside: true,
            } => format!("violates \"{property}\" outside the protocol's assumptions"),
            Failure::Panicked { message } => format!("panics: {message}"),
            Failure::BudgetExceeded => "exceeds a budget".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violated(list: &[(&str, bool)]) -> RunReport {
        RunReport {
            outcome: Outcome::Violated,
            violations: list
                .iter()
                .map(|&(property, outside)| Violation {
                    property: property.to_string(),
                    outside_assumptions: outside.then(|| "n0 crashed".to_string()),
                    ..Violation::default()
                })
                .collect(),
            ..RunReport::default()
        }
    }

    fn failure(property: &str, outside: bool) -> Failure {
        Failure::Violated {
            property: property.to_string(),
            outside,
        }
    }

    #[test]
    fn a_failure_keeps_its_side_of_the_model() {
        let both = violated(&[("agreement", false), ("termination", true)]);
        assert_eq!(
            Failure::of(&both, None, None),
            Some(failure("agreement", false))
        );
        assert_eq!(
            Failure::of(&both, Some("termination"), Some(false)),
            Some(failure("termination", true)),
            "the property first, then the side"
        );
        assert_eq!(
            Failure::of(&both, None, Some(true)),
            Some(failure("termination", true))
        );
        let outside = failure("agreement", true);
        assert!(outside.shown_by(&violated(&[("agreement", true)])));
        assert!(!outside.shown_by(&violated(&[("agreement", false)])));
        assert!(!failure("agreement", false).shown_by(&violated(&[("agreement", true)])));
        assert!(outside.describe().contains("outside"));
    }
}
