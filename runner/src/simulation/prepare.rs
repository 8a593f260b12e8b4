//! Preparing a spec against a protocol: the spec and the typed parameters validated, and
//! every default (the detector, the properties checked, the adversary) resolved once, into a
//! [`Prepared`] simulation.

use std::sync::Arc;

use sim_core::{DetectorModel, PropertyKind};

use super::{Bound, Prepared};
use ftsim_api::table::Properties;
use ftsim_api::Adversaries;
use ftsim_api::RunSpec;
use ftsim_api::{Protocol, SpecError};

/// Prepares a typed protocol and parameters for `spec` (what `AnyProtocol::prepare` does once
/// it has typed the parameters).
pub fn prepare_typed<T: Protocol>(
    protocol: &'static T,
    params: T::Params,
    mut spec: RunSpec,
) -> Result<Arc<Prepared<T>>, SpecError> {
    if spec.nodes == 0 {
        return Err(SpecError::new("nodes", "expected at least one node"));
    }
    protocol.validate(&params, spec.nodes)?;
    let model = ftsim_api::protocol::declared_model(protocol, &params, spec.nodes);
    model.keep_faults_off_roles(&mut spec.faults, spec.nodes);
    spec.faults
        .validate(spec.nodes)
        .map_err(|e| SpecError::new(format!("faults.{}", e.path), e.message))?;
    spec.schedule
        .validate(spec.nodes)
        .map_err(|e| SpecError::new("faults.schedule", e.message))?;
    let detector = resolve_detector(protocol, &mut spec)?;
    let properties = protocol.properties();
    let checked = resolve_checks(protocol.name(), &properties, &mut spec)?;
    let adversaries = protocol.adversaries();
    let adversary = resolve_adversary(protocol.name(), &adversaries, &mut spec)?;
    let may_step_outside = model.scenario_breaches(protocol.name(), &spec);
    let metrics = protocol.metrics(&params);
    Ok(Arc::new(Prepared {
        bound: Arc::new(Bound {
            protocol,
            params,
            spec,
            detector,
            properties,
            checked,
            adversaries,
            adversary,
            model,
            may_step_outside,
            metrics,
        }),
        swarm: false,
    }))
}

fn resolve_detector<T: Protocol>(
    protocol: &T,
    spec: &mut RunSpec,
) -> Result<DetectorModel, SpecError> {
    let needed = protocol.detector();
    let detector = spec.detector.or(needed).unwrap_or(DetectorModel::None);
    if needed.is_some() && detector == DetectorModel::None {
        return Err(SpecError::new(
            "detector.kind",
            format!(
                "protocol \"{}\" needs a failure detector: expected \"perfect\" or \
                 \"eventually_perfect\"",
                protocol.name()
            ),
        ));
    }
    spec.detector = Some(detector);
    Ok(detector)
}

/// The table rows a spec selects, checking each name and kind; fills in the defaults.
fn resolve_checks<P: sim_core::Process + 'static>(
    protocol: &str,
    table: &Properties<P>,
    spec: &mut RunSpec,
) -> Result<Vec<usize>, SpecError> {
    let mut rows = Vec::new();
    for (list, key, sometimes) in [
        (&mut spec.invariants, "invariants", false),
        (&mut spec.sometimes, "sometimes", true),
    ] {
        let names: Vec<String> = match list {
            Some(names) => names.clone(),
            None => table
                .defs()
                .iter()
                .filter(|d| (d.info.kind == PropertyKind::Sometimes) == sometimes)
                .map(|d| d.info.name.to_string())
                .collect(),
        };
        for (i, name) in names.iter().enumerate() {
            let key = format!("{key}[{i}]");
            let Some(row) = table.position(name) else {
                let known: Vec<&str> = table.defs().iter().map(|d| d.info.name).collect();
                return Err(SpecError::new(
                    key,
                    format!(
                        "unknown property \"{name}\" of protocol \"{protocol}\": expected one of {}",
                        known.join(", ")
                    ),
                ));
            };
            let is_sometimes = table.defs()[row].info.kind == PropertyKind::Sometimes;
            if is_sometimes != sometimes {
                let (it, other) = if is_sometimes {
                    ("a `sometimes` property", "sometimes")
                } else {
                    ("not a `sometimes` property", "invariants")
                };
                return Err(SpecError::new(
                    key,
                    format!("\"{name}\" is {it}: list it under `{other}`"),
                ));
            }
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        *list = Some(names);
    }
    rows.sort_unstable();
    Ok(rows)
}

fn resolve_adversary<T: Protocol>(
    protocol: &str,
    adversaries: &Adversaries<T>,
    spec: &mut RunSpec,
) -> Result<Option<usize>, SpecError> {
    let known: Vec<&str> = adversaries.defs().iter().map(|d| d.info.name).collect();
    let chosen = match &spec.adversary {
        Some(name) => Some(adversaries.position(name).ok_or_else(|| {
            SpecError::new(
                "adversary",
                if known.is_empty() {
                    format!(
                        "protocol \"{protocol}\" has no Byzantine adversaries (found \"{name}\")"
                    )
                } else {
                    format!(
                        "unknown adversary \"{name}\": expected one of {}",
                        known.join(", ")
                    )
                },
            )
        })?),
        None => (!known.is_empty()).then_some(0),
    };
    if spec.has_byzantine() && known.is_empty() {
        return Err(SpecError::new(
            "faults.byzantine",
            format!(
                "protocol \"{protocol}\" has no Byzantine adversaries; its Byzantine nodes \
                 would only be silent (use crashes instead)"
            ),
        ));
    }
    spec.adversary = chosen.map(|i| known[i].to_string());
    Ok(chosen)
}
