//! What a scenario expects of its sweep: every run passes, some run violates a named property
//! inside the protocol's model (a bug), or some run violates it outside the model (the model's
//! boundary, e.g. one crash too many). Written `expect = "pass"`,
//! `expect = { violation = "agreement" }` or `expect = { outside = "agreement" }`.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::{ScenarioError, Source};
use super::words::{clip, shown};

/// What a scenario expects of its sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every run inside the protocol's model passes every checked property, and every
    /// tracked `sometimes` property is reached in some run. (Runs outside the model may fail;
    /// they are counted apart.)
    Pass,
    /// Some run inside the protocol's model violates this property.
    Violation(String),
    /// Some run outside the protocol's model violates this property.
    Outside(String),
}

impl Expect {
    /// The property the sweep must find violated, if any.
    pub fn property(&self) -> Option<&str> {
        match self {
            Expect::Pass => None,
            Expect::Violation(name) | Expect::Outside(name) => Some(name),
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Pass => f.write_str("pass"),
            Expect::Violation(name) => write!(f, "violation {name}"),
            Expect::Outside(name) => write!(f, "outside {name}"),
        }
    }
}

/// As in scenario files: `"pass"`, `{"violation": "agreement"}` or `{"outside": "agreement"}`.
impl Serialize for Expect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expect::Pass => s.serialize_str("pass"),
            Expect::Violation(name) | Expect::Outside(name) => {
                let key = if matches!(self, Expect::Outside(_)) {
                    "outside"
                } else {
                    "violation"
                };
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(key, name)?;
                map.end()
            }
        }
    }
}

/// The shapes `Expect` is written in, for reading a sweep's JSON back (`run --resume`,
/// `merge`).
#[derive(Deserialize)]
#[serde(untagged)]
enum ExpectShape {
    Word(String),
    Violation { violation: String },
    Outside { outside: String },
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match ExpectShape::deserialize(d)? {
            ExpectShape::Word(word) if word == "pass" => Ok(Expect::Pass),
            ExpectShape::Word(word) => Err(serde::de::Error::custom(format!(
                "expected \"pass\", {{\"violation\": ..}} or {{\"outside\": ..}}, found {word:?}"
            ))),
            ExpectShape::Violation { violation } => Ok(Expect::Violation(violation)),
            ExpectShape::Outside { outside } => Ok(Expect::Outside(outside)),
        }
    }
}

const EXPECTED: &str = "expected \"pass\", { violation = \"<invariant>\" } (a bug inside the \
    protocol's model) or { outside = \"<invariant>\" } (a failure outside it)";

/// Reads `expect`; a violation must name one of the checked invariants.
pub(crate) fn expect_of(
    c: &Source,
    raw: &toml::Value,
    invariants: &[String],
) -> Result<Expect, ScenarioError> {
    match raw {
        toml::Value::String(s) if s == "pass" => Ok(Expect::Pass),
        toml::Value::Table(t) if t.len() == 1 => {
            let (key, value) = t.iter().next().expect("one entry");
            let make = match key.as_str() {
                "violation" => Expect::Violation,
                "outside" => Expect::Outside,
                _ => return Err(c.err(format!("expect.{}", clip(key)), EXPECTED)),
            };
            let key = format!("expect.{key}");
            match value {
                toml::Value::String(name) if invariants.contains(name) => Ok(make(name.clone())),
                toml::Value::String(name) => Err(c.err(
                    key,
                    format!(
                        "\"{}\" is not among the checked invariants: expected one of {}",
                        clip(name),
                        invariants.join(", ")
                    ),
                )),
                other => Err(c.err(
                    key,
                    format!("expected an invariant name, found {}", shown(other)),
                )),
            }
        }
        other => Err(c.err("expect", format!("{EXPECTED}, found {}", shown(other)))),
    }
}
