//! Errors in the words of the scenario format, not Rust's: serde's messages ("invalid type:
//! string "x", expected u64", "expected struct RawSeeds") rewritten as what a person writing
//! the file needs ("expected a whole number from 0 to 18446744073709551615, found -1"), and
//! values echoed into a message clipped, so a 10 MB bad value does not fill the terminal.

/// The longest value an error message echoes in full.
const SHOWN_CHARS: usize = 60;

/// Keys whose values are durations or times ("10ms"): serde only knows it wanted a string.
const DURATION_KEYS: &[&str] = &[
    "duration",
    "settle",
    "send_gap",
    "delay",
    "between",
    "lasting",
    "recover_after",
    "at",
    "until",
    "down",
    "up",
    "stabilize_at",
];

/// A serde message about the value at `key`, in the scenario format's words. The key path is
/// returned too: a missing field names the field itself (`seeds.count`), not its table.
pub(crate) fn rewrite(key: Option<String>, message: &str) -> (Option<String>, String) {
    if let Some(field) = between(message, "missing field `", "`") {
        let key = match key {
            Some(k) => format!("{k}.{field}"),
            None => field.to_string(),
        };
        return (Some(key), "missing: this key is required".to_string());
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", expected ").replace('`', "");
        let said = if expected.contains("there are no fields") || expected.is_empty() {
            "this table takes no keys".to_string()
        } else {
            format!("expected {expected}")
        };
        return (key, format!("unknown key `{}`: {said}", clip(field)));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected
            .trim_start_matches(", expected ")
            .trim_start_matches("one of ")
            .replace('`', "\"");
        return (
            key,
            format!("unknown value \"{}\": expected {expected}", clip(value)),
        );
    }
    let last = key
        .as_deref()
        .map(|k| k.rsplit('.').next().unwrap_or(k))
        .map(|k| k.split('[').next().unwrap_or(k))
        .unwrap_or("");
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((found, expected)) = rest.rsplit_once(", expected ") {
                // A value of the wrong type (5.0, "x") wants a whole number; the range of the
                // Rust type that holds it is no part of that, and the key's own range is
                // checked, and named, once the value is a number.
                let wanted = match expected_words(expected, last) {
                    w if prefix == "invalid type: " && w.starts_with(WHOLE) => WHOLE.to_string(),
                    w => w,
                };
                return (
                    key,
                    format!("expected {wanted}, found {}", found_words(found)),
                );
            }
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        if let Some((count, expected)) = rest.split_once(", expected ") {
            let wanted = expected_words(expected, last);
            let plural = if count == "1" { "" } else { "s" };
            return (
                key,
                format!("expected {wanted}, found an array of {count} value{plural}"),
            );
        }
    }
    (key, clip_quoted(message))
}

/// How an integer is named in messages.
const WHOLE: &str = "a whole number";

/// What serde expected, as the scenario format says it.
fn expected_words(expected: &str, key: &str) -> String {
    let whole = |min: &str, max: &str| format!("{WHOLE} from {min} to {max}");
    match expected {
        "u8" => whole("0", &u8::MAX.to_string()),
        "u16" => whole("0", &u16::MAX.to_string()),
        "u32" => whole("0", &u32::MAX.to_string()),
        "u64" | "usize" => whole("0", &u64::MAX.to_string()),
        "i32" => whole(&i32::MIN.to_string(), &i32::MAX.to_string()),
        "i64" | "isize" => whole(&i64::MIN.to_string(), &i64::MAX.to_string()),
        "f32" | "f64" => "a number".to_string(),
        "a string" | "a borrowed string" if DURATION_KEYS.contains(&key) => {
            "a duration such as \"10ms\"".to_string()
        }
        "a sequence" => "an array".to_string(),
        "a map" => "a table".to_string(),
        e if e.starts_with("an array of length 2") && DURATION_KEYS.contains(&key) => {
            "an array of two durations, such as [\"1ms\", \"5ms\"]".to_string()
        }
        e if e.starts_with("an array of length ") => {
            let n = e.trim_start_matches("an array of length ");
            format!("an array of {n} values")
        }
        e if e.starts_with("struct ") || e.contains("enum ") => "a table".to_string(),
        other => clip_quoted(other),
    }
}

/// The value serde found, as the scenario format shows it.
fn found_words(found: &str) -> String {
    let inner = |p: &str| {
        found
            .strip_prefix(p)
            .map(|v| clip(v.trim_matches('`')).to_string())
    };
    if let Some(v) = inner("integer ") {
        return v;
    }
    if let Some(v) = inner("floating point ") {
        return v;
    }
    if let Some(v) = inner("boolean ") {
        return v;
    }
    if let Some(v) = found.strip_prefix("string ") {
        return clip_quoted(v);
    }
    match found {
        "sequence" => "an array".to_string(),
        "map" => "a table".to_string(),
        other => clip_quoted(other),
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(start)?;
    rest.split_once(end).map(|(inside, _)| inside)
}

/// `value`, or its first characters and its size when it is long.
pub(crate) fn clip(value: &str) -> String {
    if value.chars().count() <= SHOWN_CHARS {
        return value.to_string();
    }
    let head: String = value.chars().take(SHOWN_CHARS).collect();
    format!("{head}… ({})", size_words(value.len()))
}

/// A value from the file shown in a message (TOML's own rendering), clipped when long.
pub(crate) fn shown(value: &impl std::fmt::Display) -> String {
    clip(&value.to_string())
}

/// Every quoted part of a message (`"..."` or `` `...` ``) clipped; the whole message is
/// clipped too if it is still long (a message should fit a few lines).
pub(crate) fn clip_quoted(message: &str) -> String {
    const LONGEST: usize = 1_000;
    let mut out = String::with_capacity(message.len().min(LONGEST * 2));
    let mut rest = message;
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=start]);
        let after = &rest[start + 1..];
        match after.find(quote) {
            Some(end) => {
                out.push_str(&clip(&after[..end]));
                out.push(quote);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&clip(after));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    if out.chars().count() > LONGEST {
        let head: String = out.chars().take(LONGEST).collect();
        return format!("{head}… ({} message)", size_words(out.len()));
    }
    out
}

fn size_words(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MB", b >> 20),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_type_names_become_the_formats_words() {
        let (key, m) = rewrite(
            Some("seeds.start".into()),
            "invalid value: integer `-1`, expected u64",
        );
        assert_eq!(key.as_deref(), Some("seeds.start"));
        assert_eq!(
            m,
            "expected a whole number from 0 to 18446744073709551615, found -1"
        );
        let (_, m) = rewrite(
            Some("seeds".into()),
            "invalid type: integer `5`, expected struct RawSeeds",
        );
        assert_eq!(m, "expected a table, found 5");
        let (_, m) = rewrite(
            Some("nodes".into()),
            "invalid type: floating point `5.0`, expected i64",
        );
        assert_eq!(m, "expected a whole number, found 5.0");
        let (key, m) = rewrite(Some("seeds".into()), "missing field `count`");
        assert_eq!(key.as_deref(), Some("seeds.count"));
        assert!(m.starts_with("missing"), "{m}");
    }

    #[test]
    fn long_values_are_clipped_with_their_size() {
        let long = "x".repeat(10 << 20);
        let (_, m) = rewrite(
            Some("name".into()),
            &format!("invalid type: string \"{long}\", expected u32"),
        );
        assert!(m.len() < 200, "{}", m.len());
        assert!(m.contains("… (10 MB)"), "{m}");
    }
}
