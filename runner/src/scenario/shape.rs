//! The strict shapes of a scenario file, checked on the parsed TOML before any value is read:
//! serde would read an array where a table is meant by position (`seeds = [0, 3]` as start 0,
//! count 3), so a file could mean something other than it says. Every table of the format is
//! listed here with its keys, which come from the serde shapes themselves.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use sim_core::faults::{ByzantineSpec, IntermittentSpec, PartitionSpec};

use super::error::{ScenarioError, Source};
use super::raw::RawBudget;
use super::raw::{
    RawClocks, RawCrashes, RawDetector, RawFaults, RawLink, RawNetwork, RawOmissions, RawOneWay,
    RawScheduled, RawSeeds, RawSlow,
};
use super::words::shown;

/// Where a table of the format may stand.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// One table.
    Table,
    /// Each element of an array (`[[faults.schedule]]`).
    Tables,
    /// One table or an array of them (`crashes = { ... }` or `[[faults.crashes]]`).
    TableOrTables,
}

/// The tables of the format: their paths, forms and keys (`None`: any key, as in `params`).
fn tables() -> Vec<(&'static str, Form, Option<&'static [&'static str]>)> {
    use Form::*;
    vec![
        ("seeds", Table, Some(keys_of::<RawSeeds>())),
        ("params", Table, None),
        ("network", Table, Some(keys_of::<RawNetwork>())),
        ("network.link", Tables, Some(keys_of::<RawLink>())),
        ("detector", Table, Some(keys_of::<RawDetector>())),
        ("faults", Table, Some(keys_of::<RawFaults>())),
        (
            "faults.crashes",
            TableOrTables,
            Some(keys_of::<RawCrashes>()),
        ),
        ("faults.partitions", Table, Some(keys_of::<PartitionSpec>())),
        ("faults.omissions", Table, Some(keys_of::<RawOmissions>())),
        ("faults.byzantine", Table, Some(keys_of::<ByzantineSpec>())),
        (
            "faults.intermittent",
            Table,
            Some(keys_of::<IntermittentSpec>()),
        ),
        ("faults.clocks", Table, Some(keys_of::<RawClocks>())),
        ("faults.slow", Table, Some(keys_of::<RawSlow>())),
        ("faults.schedule", Tables, Some(keys_of::<RawScheduled>())),
        ("budget", Table, Some(keys_of::<RawBudget>())),
    ]
}

/// Every table of the format is a table in `doc` (and each `[[faults.schedule]]` entry's
/// `one_way`).
pub(crate) fn check(c: &Source, doc: &toml::Table) -> Result<(), ScenarioError> {
    for (path, form, keys) in tables() {
        let Some((key, value)) = lookup(doc, path) else {
            continue;
        };
        match (form, value) {
            (_, toml::Value::Table(_)) if form != Form::Tables => {}
            (Form::Table, other) => return Err(not_a_table(c, &key, keys, other)),
            (_, toml::Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_table() {
                        return Err(not_a_table(c, &format!("{key}[{i}]"), keys, item));
                    }
                }
            }
            // Not an array where one is meant: the typed read says so in the format's words.
            _ => {}
        }
    }
    let schedule = lookup(doc, "faults.schedule").and_then(|(_, v)| v.as_array());
    for (i, entry) in schedule.into_iter().flatten().enumerate() {
        if let Some(one_way) = entry.get("one_way").filter(|v| !v.is_table()) {
            let key = format!("faults.schedule[{i}].one_way");
            return Err(not_a_table(c, &key, Some(keys_of::<RawOneWay>()), one_way));
        }
    }
    Ok(())
}

/// The value at a dotted path of tables, with its path.
fn lookup<'a>(doc: &'a toml::Table, path: &str) -> Option<(String, &'a toml::Value)> {
    let mut parts = path.split('.');
    let mut value = doc.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some((path.to_string(), value))
}

fn not_a_table(c: &Source, key: &str, keys: Option<&[&str]>, found: &toml::Value) -> ScenarioError {
    let what = match found {
        toml::Value::Array(_) => "an array (tables are not read by position)",
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) | toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "a boolean",
        _ => "a value",
    };
    let expected = match keys {
        Some(keys) => format!("a table with keys {}", keys.join(", ")),
        None => "a table of the protocol's parameters (name = value)".to_string(),
    };
    c.err(
        key,
        format!("expected {expected}; found {what}: {}", shown(found)),
    )
}

/// The keys a serde struct accepts, asked of its `Deserialize` implementation (which names
/// them when it asks for a struct), so the list here cannot drift from the shapes.
pub(crate) fn keys_of<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    let mut keys: &'static [&'static str] = &[];
    let _ = T::deserialize(KeysOf(&mut keys));
    keys
}

/// A deserializer that only records the fields a struct asks for, then gives up.
struct KeysOf<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for KeysOf<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only a struct's keys are asked"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("only a struct's keys are asked"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
