//! docs/json.md's objects, checked against the JSON a command prints.

use std::path::Path;

/// docs/json.md's tables: object name → (key → type), from each `<!-- object: NAME -->` and
/// the `| \`key\` | type | meaning |` rows under it.
fn documented_objects(
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md"))
        .expect("docs/json.md");
    let mut objects = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if let Some(name) = line
            .strip_prefix("<!-- object: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            current = Some(name.to_string());
            objects.insert(name.to_string(), std::collections::BTreeMap::new());
            continue;
        }
        let Some(name) = &current else { continue };
        if !line.starts_with('|') {
            if !line.trim().is_empty() {
                current = None;
            }
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let Some(key) = cells[1].strip_prefix('`').and_then(|k| k.strip_suffix('`')) {
            let fields = objects.get_mut(name).unwrap();
            fields.insert(key.to_string(), cells[2].to_string());
        }
    }
    objects
}

/// Whether `value` has the documented type ("integer", "string or null", ...).
fn has_type(value: &serde_json::Value, documented: &str) -> bool {
    documented.split(" or ").any(|t| match t {
        "integer" => value.is_u64() || value.is_i64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        other => panic!("docs/json.md: unknown type {other:?}"),
    })
}

/// `value` is an object with exactly the keys docs/json.md lists under `name`, each of its type.
pub fn assert_documented(value: &serde_json::Value, name: &str) {
    let objects = documented_objects();
    let fields = objects
        .get(name)
        .unwrap_or_else(|| panic!("docs/json.md documents no object {name:?}"));
    let map = value.as_object().expect("an object");
    let actual: Vec<&String> = map.keys().collect();
    let listed: Vec<&String> = fields.keys().collect();
    assert_eq!(
        actual, listed,
        "{name}: the output's keys and docs/json.md's differ"
    );
    for (key, documented) in fields {
        assert!(
            has_type(&map[key], documented),
            "{name}.{key}: {} is not {documented}",
            map[key]
        );
    }
}
