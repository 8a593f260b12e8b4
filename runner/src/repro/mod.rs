//! Repro files: one failing run, self-contained, as JSON. A repro holds the resolved scenario
//! (written back as scenario text, with its parameters), the fault plan, every recorded
//! decision, the failure, the expected trace hash and the trace itself, stamped with the ftsim
//! version and the trace format ([`TRACE_FORMAT`]) that wrote it. Any build whose catalogue
//! has the protocol replays it without the seed ([`replay`]) and says when and why the run
//! differs from the recording; [`diff`] finds where two traces part.
//!
//! A repro of another repro-file version or trace format is refused with the reason, never
//! misread: its decisions and hash would mean something else in this build.

pub mod diff;
mod json;
pub mod replay;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sim_core::{
    Choice, FaultPlan, Outcome, RunReport, Script, Stats, TraceEvent, Violation, TRACE_FORMAT,
};

use crate::catalog::Catalog;
use crate::scenario::{self, Expect, Header, ScenarioError};
use crate::shrink::{Case, Failure, Shrunk, Size};
use crate::simulation::Simulation;
use crate::sweep::Seeds;
use ftsim_api::params::ParamValues;

pub use replay::Replayed;

/// What a repro file says it is, in its `format` field.
pub const REPRO_FORMAT: &str = "ftsim-repro";

/// The version of the repro file's layout; bumped when a field changes meaning. Version 2
/// added `script` (a counterexample of `ftsim explore`, see [`Repro::of_explored`]); version 3
/// added `trace_left_out` (a run whose trace was too heavy to be kept, whose empty `trace` an
/// older build would misread as the run's). A repro that needs neither is still written as
/// version 1, which older builds read.
pub const REPRO_VERSION: u32 = 3;

/// The version a repro that holds a script is written as (at least).
const SCRIPT_VERSION: u32 = 2;

/// The version a repro that leaves its trace out is written as.
const TRACE_LEFT_OUT_VERSION: u32 = 3;

/// The oldest layout version this build reads.
const OLDEST_READ: u32 = 1;

/// The version of ftsim that writes repro files.
pub const FTSIM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One failing run, self-contained. Its plan holds every kind of fault (triggered crashes,
/// chains, one-way partitions, clock skews, slow windows, storage faults) as the run had them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repro {
    /// Always [`REPRO_FORMAT`].
    pub format: String,
    /// The layout version ([`REPRO_VERSION`]).
    pub repro_version: u32,
    /// The ftsim version that wrote it.
    pub ftsim_version: String,
    /// The trace format of its hash and decisions ([`TRACE_FORMAT`]).
    pub trace_format: u32,
    /// Where the run comes from, and the resolved scenario as text.
    pub scenario: ReproScenario,
    /// The protocol's name.
    pub protocol: String,
    /// Its parameters, defaults included (also in the scenario text).
    pub params: ParamValues,
    /// The seed the run was drawn from (the replay does not need it).
    pub seed: u64,
    /// How the run fails.
    pub failure: Failure,
    /// The size of the seed's own run, when this one is shrunk from it.
    pub shrunk_from: Option<Size>,
    /// The size of this run.
    pub size: Size,
    /// The run's hash, 16 hex digits: a replay with the same hash is the same run.
    pub trace_hash: String,
    /// How the run ended.
    pub outcome: Outcome,
    /// The properties it violated (each says whether the run was outside the protocol's
    /// model when it broke it).
    pub violations: Vec<Violation>,
    /// Why the run stepped outside the protocol's model, if it did (empty: it did not).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outside_assumptions: Vec<String>,
    /// Its counts.
    pub stats: Stats,
    /// Its fault plan.
    pub plan: FaultPlan,
    /// Every decision it made, in order.
    pub choices: Vec<Choice>,
    /// Its full trace, as the writing build saw it (what `ftsim diff` compares against);
    /// empty if `trace_left_out`.
    pub trace: Vec<TraceEvent>,
    /// Whether the run's trace was too heavy to be kept (more than
    /// [`crate::shrink::TRACE_BYTES_MAX`]; version 3): its decisions and hash still replay it
    /// exactly, and `ftsim diff` compares it by its hash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trace_left_out: bool,
    /// The scripted schedule it follows, when it is a counterexample of `ftsim explore`
    /// (version 2): each message's arrival and each timer's firing at its step's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<Script>,
}

/// Where a repro's run comes from.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReproScenario {
    /// The scenario's name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// The file it was read from (for people: the replay uses `text`).
    pub file: String,
    /// The resolved scenario: every default written out, one seed, the group the run had.
    pub text: String,
}

/// Where a run comes from, for the repro that holds it.
pub struct Origin<'a> {
    /// The scenario's name.
    pub name: &'a str,
    /// What it shows.
    pub description: &'a str,
    /// The scenario file.
    pub file: &'a Path,
}

/// Why a repro file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReproError {
    /// The file cannot be read, or is not JSON.
    #[error("{}: {message}", file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why.
        message: String,
    },
    /// A field is missing, unknown or of the wrong type.
    #[error("{}: key `{key}`: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The field.
        key: String,
        /// What was expected.
        message: String,
    },
    /// A repro of another layout version or trace format.
    #[error("{}: {message}", file.display())]
    Incompatible {
        /// The file.
        file: PathBuf,
        /// What differs and what to do.
        message: String,
    },
    /// The repro's protocol is not in this build's catalogue.
    #[error(
        "{}: protocol \"{name}\" is not in this build's catalogue ({known}): replay it with \
         the binary that has it (a binary built with ftsim::cli::main_with and the protocol)",
        file.display()
    )]
    UnknownProtocol {
        /// The file.
        file: PathBuf,
        /// The protocol's name.
        name: String,
        /// The protocols this build has.
        known: String,
    },
    /// The scenario text inside the repro does not validate in this build.
    #[error("{0} (the scenario inside the repro file)")]
    Scenario(ScenarioError),
}

impl Repro {
    /// The repro of a shrunk failure: its shrunk run, with the seed's run's size.
    pub fn of_shrunk(origin: &Origin<'_>, shrunk: &Shrunk) -> Repro {
        let mut repro = Repro::of_case(origin, &shrunk.shrunk, shrunk.seed, &shrunk.failure);
        repro.shrunk_from = Some(shrunk.original.size());
        repro
    }

    /// The repro of one run (traced, for its trace to be kept).
    pub fn of_case(origin: &Origin<'_>, case: &Case, seed: u64, failure: &Failure) -> Repro {
        let expect = match failure {
            Failure::Violated {
                property,
                outside: false,
            } => Expect::Violation(property.clone()),
            Failure::Violated {
                property,
                outside: true,
            } => Expect::Outside(property.clone()),
            _ => Expect::Pass,
        };
        let header = Header {
            name: origin.name,
            description: origin.description,
            seeds: Seeds {
                start: seed,
                count: 1,
            },
            expect: &expect,
        };
        let report: &RunReport = &case.report;
        // A run too long to trace has events and no trace; a run whose fault plan panicked
        // while it was drawn has neither, and is not a long run left untraced.
        let trace_left_out = report.trace.is_none() && report.stats.events > 0;
        Repro {
            format: REPRO_FORMAT.to_string(),
            repro_version: if trace_left_out {
                TRACE_LEFT_OUT_VERSION
            } else {
                OLDEST_READ
            },
            ftsim_version: FTSIM_VERSION.to_string(),
            trace_format: TRACE_FORMAT,
            scenario: ReproScenario {
                name: origin.name.to_string(),
                description: origin.description.to_string(),
                file: origin.file.display().to_string(),
                text: scenario::to_toml(&header, case.simulation.as_ref()),
            },
            protocol: case.simulation.protocol().to_string(),
            params: case.simulation.params(),
            seed,
            failure: failure.clone(),
            shrunk_from: None,
            size: case.size(),
            trace_hash: format!("{:016x}", report.trace_hash),
            outcome: report.outcome.clone(),
            violations: report.violations.clone(),
            outside_assumptions: report.outside_assumptions.clone(),
            stats: report.stats.clone(),
            plan: case.plan.clone(),
            choices: case.choices.clone(),
            trace: report.trace.clone().unwrap_or_default(),
            trace_left_out,
            script: None,
        }
    }

    /// The repro of a counterexample of `ftsim explore`: `case` is the run that follows
    /// `script` (with its plan's crashes and recoveries), `failure` the property the search
    /// found violated. Written as version 2, the first that holds a script.
    pub fn of_explored(
        origin: &Origin<'_>,
        case: &Case,
        failure: &Failure,
        script: Script,
    ) -> Repro {
        let seed = case.report.seed;
        let mut repro = Repro::of_case(origin, case, seed, failure);
        repro.repro_version = repro.repro_version.max(SCRIPT_VERSION);
        repro.script = Some(script);
        repro
    }

    /// The file's text: JSON, one line per decision and per trace event.
    pub fn to_json(&self) -> String {
        json::to_string(self).unwrap_or_default()
    }

    /// Reads a repro file.
    pub fn load(file: &Path) -> Result<Repro, ReproError> {
        let text = crate::input::read_text(file, crate::input::RECORD_BYTES_MAX).map_err(|e| {
            ReproError::Unreadable {
                file: file.to_path_buf(),
                message: format!("cannot read the file: {e}"),
            }
        })?;
        Repro::parse(file, &text)
    }

    /// Parses a repro's text (`file` names it in errors): its format and versions first, so
    /// that a repro of another version is refused with the reason, not a parse error.
    pub fn parse(file: &Path, text: &str) -> Result<Repro, ReproError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ReproError::Unreadable {
                file: file.to_path_buf(),
                message: format!("not a repro file: not valid JSON ({e})"),
            })?;
        check_versions(file, &value)?;
        serde_path_to_error::deserialize(value).map_err(|e| ReproError::Invalid {
            file: file.to_path_buf(),
            key: e.path().to_string(),
            message: e.into_inner().to_string(),
        })
    }

    /// The recorded run as a run report, with its trace (as the writing build saw it).
    pub fn report(&self) -> RunReport {
        RunReport {
            seed: self.seed,
            outcome: self.outcome.clone(),
            violations: self.violations.clone(),
            stats: self.stats.clone(),
            trace_hash: self.expected_hash().unwrap_or_default(),
            plan: self.plan.clone(),
            outside_assumptions: self.outside_assumptions.clone(),
            trace: (!self.trace_left_out).then(|| self.trace.clone()),
            ..RunReport::default()
        }
    }

    /// The expected trace hash.
    pub fn expected_hash(&self) -> Option<u64> {
        u64::from_str_radix(&self.trace_hash, 16).ok()
    }

    /// The repro's scenario prepared in this build: its protocol must be in `catalog`, and its
    /// scenario text must validate (`file` names the repro in errors).
    pub fn simulation(
        &self,
        file: &Path,
        catalog: &Catalog,
    ) -> Result<Arc<dyn Simulation>, ReproError> {
        if catalog.find(&self.protocol).is_none() {
            return Err(ReproError::UnknownProtocol {
                file: file.to_path_buf(),
                name: self.protocol.clone(),
                known: catalog.names().join(", "),
            });
        }
        let s =
            scenario::parse(file, &self.scenario.text, catalog).map_err(ReproError::Scenario)?;
        if s.simulation.protocol() != self.protocol {
            return Err(ReproError::Invalid {
                file: file.to_path_buf(),
                key: "scenario.text".into(),
                message: format!(
                    "the scenario runs protocol \"{}\", the repro says \"{}\"",
                    s.simulation.protocol(),
                    self.protocol
                ),
            });
        }
        let plan_error = self.plan.validate(s.simulation.spec().nodes);
        if let Err(e) = plan_error {
            return Err(ReproError::Invalid {
                file: file.to_path_buf(),
                key: format!("plan.{}", e.path),
                message: e.message,
            });
        }
        Ok(s.simulation)
    }
}

/// Refuses a file that is not a repro, or of another layout version or trace format.
fn check_versions(file: &Path, value: &serde_json::Value) -> Result<(), ReproError> {
    let incompatible = |message: String| ReproError::Incompatible {
        file: file.to_path_buf(),
        message,
    };
    if value.get("format").and_then(|f| f.as_str()) != Some(REPRO_FORMAT) {
        return Err(incompatible(format!(
            "not a repro file: expected \"format\": \"{REPRO_FORMAT}\""
        )));
    }
    let writer = value
        .get("ftsim_version")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown");
    let number = |key: &str| value.get(key).and_then(|v| v.as_u64());
    let readable = OLDEST_READ as u64..=REPRO_VERSION as u64;
    if !number("repro_version").is_some_and(|v| readable.contains(&v)) {
        return Err(incompatible(format!(
            "written by ftsim {writer} as repro version {}; this build (ftsim {FTSIM_VERSION}) \
             reads versions {OLDEST_READ} to {REPRO_VERSION} only: replay it with ftsim {writer}",
            shown(number("repro_version"))
        )));
    }
    if number("trace_format") != Some(TRACE_FORMAT as u64) {
        return Err(incompatible(format!(
            "recorded with trace format {} (ftsim {writer}); this build (ftsim \
             {FTSIM_VERSION}) uses trace format {TRACE_FORMAT}, in which its recorded decisions \
             and trace hash mean something else: replay it with ftsim {writer}, or shrink its \
             scenario's seed again with this build",
            shown(number("trace_format"))
        )));
    }
    Ok(())
}

fn shown(n: Option<u64>) -> String {
    n.map_or_else(|| "(none)".to_string(), |n| n.to_string())
}
