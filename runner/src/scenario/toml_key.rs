//! Where a TOML syntax error is, as a key: the `toml` crate names no key when a value cannot
//! be read at all (an integer above the largest TOML integer, 2^63 - 1), so the key is read
//! off the text: the table header above the error, the inline tables open on its line, and
//! the key being assigned.

/// The largest integer TOML can hold.
const MAX_TOML_INTEGER: &str = "9223372036854775807";

/// The dotted key whose value is at byte `offset` of `text`, if one is being assigned there.
pub(crate) fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let table = text[..line_start]
        .lines()
        .map(str::trim)
        .rfind(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let mut path: Vec<String> = table.into_iter().filter(|t| !t.is_empty()).collect();
    path.extend(inline_keys(text.get(line_start..offset)?)?);
    Some(path.join("."))
}

/// The keys open at the end of one line's prefix: `a = { b = { c = ` gives a, b, c.
fn inline_keys(prefix: &str) -> Option<Vec<String>> {
    let mut open: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut word = String::new();
    for ch in prefix.chars() {
        match ch {
            '=' => current = Some(std::mem::take(&mut word).trim().to_string()),
            '{' => open.extend(current.take()),
            '}' => {
                open.pop();
                current = None;
            }
            ',' => {
                current = None;
                word.clear();
            }
            _ => word.push(ch),
        }
    }
    open.push(current?);
    Some(open.into_iter().filter(|k| !k.is_empty()).collect())
}

/// The toml crate's message for an integer it cannot hold, in the format's words.
pub(crate) fn too_big(message: &str) -> Option<String> {
    let value = message
        .strip_prefix("invalid type: integer `")?
        .split('`')
        .next()?;
    message.contains("as i128").then(|| {
        format!(
            "expected an integer of at most {MAX_TOML_INTEGER} (the largest TOML integer), \
             found {}",
            super::words::clip(value)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_under_its_table_and_inside_inline_tables() {
        let text = "name = \"x\"\n[budget]\nmax_events = 99\n";
        assert_eq!(
            key_at(text, text.find("99").unwrap()).unwrap(),
            "budget.max_events"
        );
        let text = "seeds = { start = 0, count = 99 }\n";
        assert_eq!(
            key_at(text, text.find("99").unwrap()).unwrap(),
            "seeds.count"
        );
        let text = "[faults]\ncrashes = { between = [\"1ms\"], max = 99 }\n";
        assert_eq!(
            key_at(text, text.find("99").unwrap()).unwrap(),
            "faults.crashes.max"
        );
    }

    #[test]
    fn an_integer_too_big_for_toml_in_words() {
        let m =
            "invalid type: integer `99999999999999999999` as i128, expected any valid TOML value";
        assert_eq!(
            too_big(m).unwrap(),
            "expected an integer of at most 9223372036854775807 (the largest TOML integer), \
             found 99999999999999999999"
        );
    }
}
