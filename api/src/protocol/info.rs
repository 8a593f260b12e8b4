//! What is known of a protocol without its types ([`ProtocolInfo`]): what `ftsim list` shows
//! and scenario validation reads, and the checks of the declaration itself.

use sim_core::DetectorModel;

use super::adversaries::AdversaryInfo;
use super::{declared_model, Protocol, DEFAULT_NODES};
use crate::metrics::MetricsInfo;
use crate::model::{DetectorClass, Model};
use crate::params::{ParamInfo, Params};
use crate::table::PropertyInfo;

/// What `ftsim list` and scenario validation know of a protocol, without its types.
#[derive(Clone, Debug)]
pub struct ProtocolInfo {
    /// The name scenario files use.
    pub name: &'static str,
    /// One line on what the protocol does.
    pub summary: &'static str,
    /// Its parameters, with defaults, ranges and help.
    pub params: Vec<ParamInfo>,
    /// Its properties, in table order.
    pub properties: Vec<PropertyInfo>,
    /// Its Byzantine adversaries (the first is the default).
    pub adversaries: Vec<AdversaryInfo>,
    /// The detector it needs, with its default settings.
    pub detector: Option<DetectorModel>,
    /// The model it claims with its default parameters, for `ftsim list` (the bounds follow
    /// the parameters and the group size; the rules say how).
    pub model: Model,
    /// The figures its metric yields, with the default parameters.
    pub metrics: MetricsInfo,
}

impl ProtocolInfo {
    /// What is known of `protocol` without its types, its model stated for the default
    /// parameters and [`DEFAULT_NODES`] nodes.
    pub fn of<T: Protocol>(protocol: &T) -> ProtocolInfo {
        ProtocolInfo {
            name: protocol.name(),
            summary: protocol.summary(),
            params: T::Params::schema(),
            properties: protocol.properties().infos(),
            adversaries: protocol.adversaries().infos(),
            detector: protocol.detector(),
            model: declared_model(protocol, &T::Params::default(), DEFAULT_NODES),
            metrics: protocol.metrics(&T::Params::default()).info(),
        }
    }

    /// Checks the declaration itself: names unique and non-empty, defaults within their own
    /// schema. A protocol that fails this is a bug in the protocol, reported before any run.
    pub fn check(&self) -> Result<(), String> {
        let fail = |what: String| Err(format!("protocol \"{}\": {what}", self.name));
        if self.name.is_empty() {
            return fail("the name is empty".into());
        }
        let needed = self.model.detector_needed();
        let default = DetectorClass::of(self.detector.as_ref());
        if default < needed {
            return fail(format!(
                "its model needs {needed}, but its default detector gives {default}: \
                 declare `fn detector` with one of that class"
            ));
        }
        if let Some(n) = bad_name(self.properties.iter().map(|p| p.name)) {
            return fail(format!("property name {n:?} is empty or declared twice"));
        }
        if let Some(n) = bad_name(self.adversaries.iter().map(|a| a.name)) {
            return fail(format!("adversary name {n:?} is empty or declared twice"));
        }
        if let Some(n) = bad_name(self.params.iter().map(|p| p.name)) {
            return fail(format!("parameter name {n:?} is empty or declared twice"));
        }
        for p in &self.params {
            if !p.kind.accepts(&p.default) {
                return fail(format!(
                    "the default of parameter {} ({}) is not {}",
                    p.name,
                    p.default,
                    p.kind.expected()
                ));
            }
        }
        Ok(())
    }
}

/// The first name that is empty or repeats an earlier one.
fn bad_name(names: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let mut seen = std::collections::BTreeSet::new();
    let mut names = names;
    names.find(|n| n.is_empty() || !seen.insert(*n))
}
