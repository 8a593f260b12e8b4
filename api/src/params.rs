//! A protocol's parameters: a typed struct written once with [`params!`](crate::params!), from
//! which come its schema (name, kind, range, default, help: what `ftsim list` prints and
//! `ftsim check` validates), its serde `Deserialize`, and its conversion back to plain values
//! (for reports and for writing a scenario file). Validation happens once, against the schema,
//! before anything runs; after it, a protocol reads typed fields, never strings.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sim_core::Duration;

/// A parameter value as written in a scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// A string: a word of a choice, or a duration such as "10ms".
    Str(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// Parameter values by name, as given in a scenario's `[params]` table.
pub type ParamValues = BTreeMap<String, ParamValue>;

/// What values a parameter accepts.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    /// An integer in `min..=max`.
    #[allow(missing_docs)]
    Int { min: i64, max: i64 },
    /// A number in `min..=max`.
    #[allow(missing_docs)]
    Float { min: f64, max: f64 },
    /// `true` or `false`.
    Bool,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A duration such as "10ms", from `min` to `max`.
    #[allow(missing_docs)]
    Duration { min: Duration, max: Duration },
    /// A program and its arguments, words separated by spaces (`"python3 echo.py"`), the
    /// kind of the `command` module's `Command`.
    Command,
}

/// One end of the range a [`params!`](crate::params!) field is narrowed to, as written there: a
/// number for an integer or a number, a duration such as "10ms" for a [`Duration`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RangeEnd {
    /// An end of an integer or number range.
    Number(f64),
    /// An end of a duration range, such as "10ms".
    Duration(&'static str),
}

macro_rules! number_end {
    ($($t:ty),*) => {$(
        impl From<$t> for RangeEnd {
            fn from(n: $t) -> Self {
                RangeEnd::Number(n as f64)
            }
        }
    )*};
}

number_end!(i32, i64, u32, u64, f64);

impl From<&'static str> for RangeEnd {
    fn from(text: &'static str) -> Self {
        RangeEnd::Duration(text)
    }
}

impl ParamKind {
    /// The same kind with its range narrowed to `lo..=hi` (integers, numbers and durations).
    ///
    /// # Panics
    ///
    /// If the ends do not fit the kind (a duration range on an integer, a number range on a
    /// duration, a duration that does not parse): a mistake in a `params!` declaration, which
    /// any test that reads the protocol's parameters finds.
    pub fn narrowed(self, lo: RangeEnd, hi: RangeEnd) -> ParamKind {
        match (self, lo, hi) {
            (ParamKind::Int { min, max }, RangeEnd::Number(lo), RangeEnd::Number(hi)) => {
                ParamKind::Int {
                    min: min.max(lo as i64),
                    max: max.min(hi as i64),
                }
            }
            (ParamKind::Float { min, max }, RangeEnd::Number(lo), RangeEnd::Number(hi)) => {
                ParamKind::Float {
                    min: min.max(lo),
                    max: max.min(hi),
                }
            }
            (ParamKind::Duration { min, max }, RangeEnd::Duration(lo), RangeEnd::Duration(hi)) => {
                let end = |text: &str| {
                    text.parse::<Duration>()
                        .unwrap_or_else(|e| panic!("params!: a range end is not a duration: {e}"))
                };
                ParamKind::Duration {
                    min: min.max(end(lo)),
                    max: max.min(end(hi)),
                }
            }
            (kind @ (ParamKind::Bool | ParamKind::Choice(_) | ParamKind::Command), _, _) => kind,
            (kind, lo, hi) => panic!(
                "params!: the range {lo:?}..={hi:?} does not fit {}: integers and numbers take \
                 numbers, durations take durations such as \"1ms\"..=\"10s\"",
                kind.expected()
            ),
        }
    }

    /// "an integer from 1 to 20", "true or false", "one of \"a\", \"b\"".
    pub fn expected(&self) -> String {
        match self {
            ParamKind::Int { min, max } => format!("an integer from {min} to {max}"),
            ParamKind::Float { min, max } => format!("a number from {min} to {max}"),
            ParamKind::Bool => "true or false".to_string(),
            ParamKind::Choice(c) => format!(
                "one of {}",
                c.iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ParamKind::Duration { min, max } if *min == Duration::ZERO && max.0 == u64::MAX => {
                "a duration such as \"10ms\"".to_string()
            }
            ParamKind::Duration { min, max } => {
                format!("a duration such as \"10ms\", from {min} to {max}")
            }
            ParamKind::Command => COMMAND_EXPECTED.to_string(),
        }
    }

    /// Whether `value` is of this kind and in range.
    pub fn accepts(&self, value: &ParamValue) -> bool {
        match (self, value) {
            (ParamKind::Int { min, max }, ParamValue::Int(i)) => (*min..=*max).contains(i),
            (ParamKind::Float { min, max }, ParamValue::Float(x)) => (*min..=*max).contains(x),
            (ParamKind::Float { min, max }, ParamValue::Int(i)) => {
                (*min..=*max).contains(&(*i as f64))
            }
            (ParamKind::Bool, ParamValue::Bool(_)) => true,
            (ParamKind::Choice(c), ParamValue::Str(s)) => c.contains(&s.as_str()),
            (ParamKind::Duration { min, max }, ParamValue::Str(s)) => s
                .parse::<Duration>()
                .is_ok_and(|d| (*min..=*max).contains(&d)),
            (ParamKind::Command, ParamValue::Str(s)) => command_error(s).is_none(),
            _ => false,
        }
    }
}

/// What a command parameter accepts, in words.
pub const COMMAND_EXPECTED: &str = "a program and its arguments separated by spaces, such as \
                                    \"python3 echo.py\" (no quotes, no control characters, \
                                    at most 4096 bytes)";

/// The most bytes a command parameter may have.
const COMMAND_BYTES_MAX: usize = 4096;

/// Why `text` cannot be a command parameter, if it cannot.
pub fn command_error(text: &str) -> Option<String> {
    if text.len() > COMMAND_BYTES_MAX {
        return Some(format!(
            "expected {COMMAND_EXPECTED}, found {} bytes",
            text.len()
        ));
    }
    let control = text
        .chars()
        .find(|c| c.is_control() && !c.is_whitespace())?;
    Some(format!(
        "expected {COMMAND_EXPECTED}, found the control character U+{:04X}",
        u32::from(control)
    ))
}

/// One documented parameter of a protocol.
#[derive(Clone, Debug)]
pub struct ParamInfo {
    /// Its name in the `[params]` table.
    pub name: &'static str,
    /// The values it accepts.
    pub kind: ParamKind,
    /// The value it has when a scenario does not set it.
    pub default: ParamValue,
    /// What it means, for `ftsim list`.
    pub help: String,
}

/// Why a set of parameter values is unusable: the parameter's name and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ParamError {
    /// The parameter at fault.
    pub name: String,
    /// What is wrong, and what was expected.
    pub message: String,
}

/// A field type a parameter can have: integers, `f64`, `bool`, [`Duration`], and enums made
/// with [`choice!`](crate::choice!).
pub trait ParamType: Sized {
    /// The values this type accepts (before any range a protocol adds).
    fn kind() -> ParamKind;
    /// The plain value of this typed value, as a scenario file writes it.
    fn to_value(&self) -> ParamValue;
    /// The typed value of an accepted plain value (`None` if `kind` does not accept it).
    fn from_value(value: &ParamValue) -> Option<Self>;
    /// Hashes the value (an `f64` by its bits), so that a parameter struct is `Hash` and a
    /// process that keeps its parameters can be searched (`ftsim explore` hashes states).
    fn hash_param<H: std::hash::Hasher>(&self, state: &mut H);
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ParamType for $t {
            fn kind() -> ParamKind {
                ParamKind::Int {
                    min: i64::try_from(<$t>::MIN).unwrap_or(i64::MIN),
                    max: i64::try_from(<$t>::MAX).unwrap_or(i64::MAX),
                }
            }
            fn to_value(&self) -> ParamValue {
                ParamValue::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
            fn from_value(value: &ParamValue) -> Option<Self> {
                match value {
                    ParamValue::Int(i) => <$t>::try_from(*i).ok(),
                    _ => None,
                }
            }
            fn hash_param<H: std::hash::Hasher>(&self, state: &mut H) {
                std::hash::Hash::hash(self, state);
            }
        }
    )*};
}

int_param!(u8, u16, u32, u64, usize, i32, i64);

impl ParamType for bool {
    fn kind() -> ParamKind {
        ParamKind::Bool
    }
    fn to_value(&self) -> ParamValue {
        ParamValue::Bool(*self)
    }
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn hash_param<H: std::hash::Hasher>(&self, state: &mut H) {
        std::hash::Hash::hash(self, state);
    }
}

impl ParamType for f64 {
    fn kind() -> ParamKind {
        ParamKind::Float {
            min: f64::MIN,
            max: f64::MAX,
        }
    }
    fn to_value(&self) -> ParamValue {
        ParamValue::Float(*self)
    }
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Float(x) => Some(*x),
            ParamValue::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    fn hash_param<H: std::hash::Hasher>(&self, state: &mut H) {
        std::hash::Hash::hash(&self.to_bits(), state);
    }
}

impl ParamType for Duration {
    fn kind() -> ParamKind {
        ParamKind::Duration {
            min: Duration::ZERO,
            max: Duration(u64::MAX),
        }
    }
    fn to_value(&self) -> ParamValue {
        ParamValue::Str(self.to_string())
    }
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
    fn hash_param<H: std::hash::Hasher>(&self, state: &mut H) {
        std::hash::Hash::hash(self, state);
    }
}

/// A protocol's parameter struct. Write it with [`params!`](crate::params!), which derives
/// everything here from one list of fields; [`NoParams`] is the struct of a protocol without
/// parameters.
pub trait Params: Clone + fmt::Debug + Default + std::hash::Hash + Send + Sync + 'static {
    /// Every parameter, in declaration order, with its default.
    fn schema() -> Vec<ParamInfo>;
    /// The typed struct of validated values; a parameter not given keeps its default.
    fn from_values(values: &ParamValues) -> Result<Self, ParamError>;
    /// Every parameter's value, for reports and scenario files.
    fn to_values(&self) -> ParamValues;
}

/// The parameters of a protocol that has none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NoParams;

impl Params for NoParams {
    fn schema() -> Vec<ParamInfo> {
        Vec::new()
    }
    fn from_values(values: &ParamValues) -> Result<Self, ParamError> {
        match values.keys().next() {
            Some(name) => Err(ParamError {
                name: name.clone(),
                message: "this protocol takes no parameters".into(),
            }),
            None => Ok(NoParams),
        }
    }
    fn to_values(&self) -> ParamValues {
        ParamValues::new()
    }
}

/// Checks plain values against a schema: every name known, every value of the right kind and
/// in range. The error says what was expected, in the words of the scenario format.
pub fn validate(schema: &[ParamInfo], values: &ParamValues) -> Result<(), ParamError> {
    for (name, value) in values {
        let Some(info) = schema.iter().find(|p| p.name == name) else {
            let known: Vec<&str> = schema.iter().map(|p| p.name).collect();
            return Err(ParamError {
                name: name.clone(),
                message: if known.is_empty() {
                    "this protocol takes no parameters".into()
                } else {
                    format!("unknown parameter: expected one of {}", known.join(", "))
                },
            });
        };
        if !info.kind.accepts(value) {
            return Err(ParamError {
                name: name.clone(),
                message: format!("expected {}, found {value}", info.kind.expected()),
            });
        }
    }
    Ok(())
}

/// Reads one field for [`params!`](crate::params!): the given value if any, else the default.
#[doc(hidden)]
pub fn field<T: ParamType>(
    values: &ParamValues,
    name: &str,
    kind: &ParamKind,
    default: T,
) -> Result<T, ParamError> {
    let Some(value) = values.get(name) else {
        return Ok(default);
    };
    if !kind.accepts(value) {
        return Err(ParamError {
            name: name.to_string(),
            message: format!("expected {}, found {value}", kind.expected()),
        });
    }
    T::from_value(value).ok_or_else(|| ParamError {
        name: name.to_string(),
        message: format!("expected {}, found {value}", kind.expected()),
    })
}

/// Joins a field's doc lines into one help text (without a final full stop: `ftsim list`
/// follows it with what the parameter accepts).
#[doc(hidden)]
pub fn help_of(lines: &[&str]) -> String {
    let text = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    text.strip_suffix('.').unwrap_or(&text).to_string()
}

/// Rejects keys a schema does not know (used by the generated `from_values`).
#[doc(hidden)]
pub fn reject_unknown(schema: &[&str], values: &ParamValues) -> Result<(), ParamError> {
    match values.keys().find(|k| !schema.contains(&k.as_str())) {
        Some(name) => Err(ParamError {
            name: name.clone(),
            message: format!("unknown parameter: expected one of {}", schema.join(", ")),
        }),
        None => Ok(()),
    }
}

/// Deserializes any [`Params`] struct from a map of plain values (used by the generated
/// `Deserialize` impl).
#[doc(hidden)]
pub fn deserialize<'de, P: Params, D: serde::Deserializer<'de>>(d: D) -> Result<P, D::Error> {
    let values = ParamValues::deserialize(d)?;
    validate(&P::schema(), &values).map_err(serde::de::Error::custom)?;
    P::from_values(&values).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::choice! {
        /// How processes pick what they propose.
        pub enum Pick {
            Random = "random",
            ById = "by-id",
        }
    }

    crate::params! {
        /// Test parameters.
        pub struct Demo {
            /// Rounds before deciding;
            /// f + 1 tolerates f crashes.
            rounds: u32 = 2, range 1..=64;
            /// How proposals are picked.
            pick: Pick = Pick::Random;
            /// Whether to log.
            log: bool = true;
            /// How long a round lasts.
            round: Duration = Duration::from_millis(10);
            /// How long to wait before asking again.
            retry: Duration = Duration::from_millis(30), range "1ms"..="10s";
        }
    }

    fn values(pairs: &[(&str, ParamValue)]) -> ParamValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn the_schema_comes_from_the_one_declaration() {
        let schema = Demo::schema();
        let names: Vec<&str> = schema.iter().map(|p| p.name).collect();
        assert_eq!(names, ["rounds", "pick", "log", "round", "retry"]);
        assert_eq!(schema[0].kind, ParamKind::Int { min: 1, max: 64 });
        assert_eq!(schema[0].default, ParamValue::Int(2));
        assert_eq!(
            schema[0].help,
            "Rounds before deciding; f + 1 tolerates f crashes"
        );
        assert_eq!(schema[1].kind, ParamKind::Choice(&["random", "by-id"]));
        assert_eq!(schema[1].default, ParamValue::Str("random".into()));
        assert_eq!(schema[3].default, ParamValue::Str("10ms".into()));
        assert_eq!(
            schema[4].kind,
            ParamKind::Duration {
                min: Duration::from_millis(1),
                max: Duration::from_secs(10),
            }
        );
        assert_eq!(schema[4].default, ParamValue::Str("30ms".into()));
    }

    #[test]
    fn a_duration_range_is_checked_and_said() {
        let retry = |text: &str| values(&[("retry", ParamValue::Str(text.into()))]);
        for ok in ["1ms", "1.5ms", "10s", "250ms"] {
            validate(&Demo::schema(), &retry(ok)).unwrap();
        }
        let d = Demo::from_values(&retry("1.5ms")).unwrap();
        assert_eq!(d.retry, Duration(1_500_000));
        let expected = "expected a duration such as \"10ms\", from 1ms to 10s";
        for (bad, found) in [
            (retry("999us"), "\"999us\""),
            (retry("11s"), "\"11s\""),
            (retry("30"), "\"30\""),
            (retry("-1ms"), "\"-1ms\""),
            (values(&[("retry", ParamValue::Int(30))]), "30"),
        ] {
            let e = validate(&Demo::schema(), &bad).unwrap_err();
            assert_eq!(e.name, "retry");
            assert_eq!(e.message, format!("{expected}, found {found}"));
        }
    }

    #[test]
    #[should_panic(expected = "does not fit")]
    fn a_number_range_on_a_duration_is_a_mistake_of_the_declaration() {
        let _ = ParamKind::Duration {
            min: Duration::ZERO,
            max: Duration(u64::MAX),
        }
        .narrowed(RangeEnd::from(1), RangeEnd::from(10));
    }

    #[test]
    fn values_become_typed_fields_and_back() {
        let given = values(&[
            ("rounds", ParamValue::Int(3)),
            ("pick", ParamValue::Str("by-id".into())),
            ("round", ParamValue::Str("2ms".into())),
        ]);
        validate(&Demo::schema(), &given).unwrap();
        let d = Demo::from_values(&given).unwrap();
        assert_eq!(d.rounds, 3);
        assert_eq!(d.pick, Pick::ById);
        assert!(d.log);
        assert_eq!(d.round, Duration::from_millis(2));
        let back = d.to_values();
        assert_eq!(Demo::from_values(&back).unwrap().to_values(), back);
    }

    #[test]
    fn bad_values_say_what_was_expected() {
        let e = validate(&Demo::schema(), &values(&[("rounds", ParamValue::Int(0))])).unwrap_err();
        assert_eq!(e.name, "rounds");
        assert_eq!(e.message, "expected an integer from 1 to 64, found 0");
        let e = validate(&Demo::schema(), &values(&[("roundz", ParamValue::Int(1))])).unwrap_err();
        assert!(
            e.message
                .contains("expected one of rounds, pick, log, round, retry"),
            "{e}"
        );
        let e = validate(
            &Demo::schema(),
            &values(&[("pick", ParamValue::Str("lowest".into()))]),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "expected one of \"random\", \"by-id\", found \"lowest\""
        );
        assert!(Demo::from_values(&values(&[("log", ParamValue::Int(1))])).is_err());
    }

    #[test]
    fn serde_deserializes_through_the_schema() {
        let d: Demo = serde_json::from_str(r#"{"rounds": 5, "pick": "by-id"}"#).unwrap();
        assert_eq!((d.rounds, d.pick), (5, Pick::ById));
        let e = serde_json::from_str::<Demo>(r#"{"rounds": 65}"#).unwrap_err();
        assert!(e.to_string().contains("from 1 to 64"), "{e}");
    }
}
