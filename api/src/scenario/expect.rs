//! What a scenario expects of its sweep: every run passes, or some run violates a named
//! property. Written `expect = "pass"` or `expect = { violation = "agreement" }`.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::error::{ScenarioError, Source};

/// What a scenario expects of its sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every run passes every checked property, and every tracked `sometimes` property is
    /// reached in some run.
    Pass,
    /// Some run violates this property.
    Violation(String),
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Pass => f.write_str("pass"),
            Expect::Violation(name) => write!(f, "violation {name}"),
        }
    }
}

/// As in scenario files: `"pass"` or `{"violation": "agreement"}`.
impl Serialize for Expect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expect::Pass => s.serialize_str("pass"),
            Expect::Violation(name) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("violation", name)?;
                map.end()
            }
        }
    }
}

/// Reads `expect`; a violation must name one of the checked invariants.
pub(crate) fn expect_of(
    c: &Source,
    raw: &toml::Value,
    invariants: &[String],
) -> Result<Expect, ScenarioError> {
    match raw {
        toml::Value::String(s) if s == "pass" => Ok(Expect::Pass),
        toml::Value::Table(t) if t.len() == 1 && t.contains_key("violation") => {
            match &t["violation"] {
                toml::Value::String(name) if invariants.contains(name) => {
                    Ok(Expect::Violation(name.clone()))
                }
                toml::Value::String(name) => Err(c.err(
                    "expect.violation",
                    format!(
                        "\"{name}\" is not among the checked invariants: expected one of {}",
                        invariants.join(", ")
                    ),
                )),
                other => Err(c.err(
                    "expect.violation",
                    format!("expected an invariant name, found {other}"),
                )),
            }
        }
        other => Err(c.err(
            "expect",
            format!("expected \"pass\" or {{ violation = \"<invariant>\" }}, found {other}"),
        )),
    }
}
