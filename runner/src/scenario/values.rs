//! Scenario values that TOML has no type for: probabilities (as parts per million), durations
//! ("10ms"), delay distributions, and protocol parameters. Each error names its key.

use sim_core::{DelayDist, Duration, PPM};

use super::error::{ScenarioError, Source};
use super::limits;
use super::words::shown;
use ftsim_api::command::Command;
use ftsim_api::params::{ParamInfo, ParamKind, ParamValue, ParamValues};

/// A probability between 0 and 1, as parts per million.
pub(crate) fn probability(c: &Source, key: &str, p: f64) -> Result<u32, ScenarioError> {
    if !(0.0..=1.0).contains(&p) || p.is_nan() {
        return Err(c.err(
            key,
            format!("expected a probability between 0 and 1, found {p}"),
        ));
    }
    Ok((p * PPM as f64).round() as u32)
}

pub(crate) fn duration_of(
    c: &Source,
    key: &str,
    v: &toml::Value,
) -> Result<Duration, ScenarioError> {
    match v {
        toml::Value::String(s) => {
            let d = s
                .parse()
                .map_err(|e: sim_core::time::ParseDurationError| c.err(key, e.to_string()))?;
            limits::duration(c, key, d)
        }
        other => Err(c.err(
            key,
            format!(
                "expected a duration such as \"10ms\", found {}",
                shown(other)
            ),
        )),
    }
}

/// A duration that may be negative ("-3ms": behind), in nanoseconds.
pub(crate) fn signed_duration_ns(c: &Source, key: &str, text: &str) -> Result<i64, ScenarioError> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let d: Duration = rest
        .parse()
        .map_err(|e: sim_core::time::ParseDurationError| c.err(key, e.to_string()))?;
    if d > limits::MAX_DURATION {
        let max = limits::MAX_DURATION;
        return Err(c.err(
            key,
            format!("expected a duration from -{max} to {max} (about 11.6 days), found {text}"),
        ));
    }
    Ok(sign * d.0 as i64)
}

/// `"2ms"` (constant), `["1ms", "5ms"]` (uniform) or `{ min = "1ms", mean = "2ms" }`
/// (exponential tail above a minimum).
pub(crate) fn delay_of(c: &Source, key: &str, v: &toml::Value) -> Result<DelayDist, ScenarioError> {
    const EXPECTED: &str = "expected a delay: \"2ms\" (constant), [\"1ms\", \"5ms\"] (uniform) \
                            or { min = \"1ms\", mean = \"2ms\" } (exponential above a minimum)";
    match v {
        toml::Value::String(_) => Ok(DelayDist::Constant(duration_of(c, key, v)?)),
        toml::Value::Array(a) if a.len() == 2 => {
            let min = duration_of(c, &format!("{key}[0]"), &a[0])?;
            let max = duration_of(c, &format!("{key}[1]"), &a[1])?;
            if min > max {
                return Err(c.err(key, format!("the minimum {min} is above the maximum {max}")));
            }
            Ok(DelayDist::Uniform { min, max })
        }
        toml::Value::Table(t) => {
            for k in t.keys() {
                if k != "min" && k != "mean" {
                    return Err(c.err(format!("{key}.{k}"), format!("unknown key; {EXPECTED}")));
                }
            }
            let get = |k: &str| {
                t.get(k)
                    .ok_or_else(|| c.err(format!("{key}.{k}"), format!("missing; {EXPECTED}")))
            };
            let min = duration_of(c, &format!("{key}.min"), get("min")?)?;
            let mean = duration_of(c, &format!("{key}.mean"), get("mean")?)?;
            if mean == Duration::ZERO {
                return Err(c.err(format!("{key}.mean"), "the mean must be above zero"));
            }
            Ok(DelayDist::Exponential { min, mean })
        }
        other => Err(c.err(key, format!("{EXPECTED}, found {}", shown(other)))),
    }
}

/// A protocol parameter's plain value.
pub(crate) fn param_of(
    c: &Source,
    key: &str,
    v: &toml::Value,
) -> Result<ParamValue, ScenarioError> {
    Ok(match v {
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        toml::Value::Integer(i) => ParamValue::Int(*i),
        toml::Value::Float(f) => ParamValue::Float(*f),
        toml::Value::String(s) => ParamValue::Str(s.clone()),
        other => {
            return Err(c.err(
                key,
                format!(
                    "expected a number, a boolean or a string, found {}",
                    shown(other)
                ),
            ))
        }
    })
}

/// Makes each command parameter's words that name files beside the scenario absolute, so the
/// program runs from any working directory (a value that is not a command is left for the
/// protocol's own validation to refuse, with its key).
pub(crate) fn resolve_commands(
    c: &Source,
    schema: &[ParamInfo],
    params: &mut ParamValues,
) -> Result<(), ScenarioError> {
    let dir = c.file.parent().unwrap_or(std::path::Path::new("."));
    for info in schema.iter().filter(|p| p.kind == ParamKind::Command) {
        let Some(ParamValue::Str(text)) = params.get(info.name) else {
            continue;
        };
        let key = format!("params.{}", info.name);
        let command = Command::parse(text).map_err(|e| c.err(&key, e))?;
        let resolved = command.resolved_in(dir).map_err(|e| c.err(&key, e))?;
        params.insert(info.name.to_string(), ParamValue::Str(resolved.to_string()));
    }
    Ok(())
}
