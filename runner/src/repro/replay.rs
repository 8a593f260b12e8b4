//! Replaying a repro: its scenario, plan and recorded decisions, without the seed. The run is
//! the recorded one exactly when every decision came from the recording and the trace hash is
//! the expected one; otherwise [`Replayed::explanation`] says how it differs and why it may
//! (another protocol build, another ftsim version).

use sim_core::{Draw, RunReport, Stream, TraceSink};

use super::{Repro, FTSIM_VERSION};
use crate::simulation::{Recorded, RunOptions, Simulation, TapeFit};
use ftsim_api::params::ParamValues;

/// A repro replayed in this build.
pub struct Replayed {
    /// The run.
    pub report: RunReport,
    /// How closely it followed the recorded decisions.
    pub fit: TapeFit,
    /// The trace hash the repro expects (`None`: the file's hash is not 16 hex digits).
    pub expected_hash: Option<u64>,
    /// Whether it fails the way the repro says.
    pub fails_alike: bool,
    /// The parameters in this build (a new parameter's default shows up here).
    pub params: ParamValues,
}

impl Repro {
    /// Replays the repro's run in `simulation` (from [`Repro::simulation`]).
    pub fn replay(&self, simulation: &dyn Simulation, trace: bool) -> Replayed {
        let recorded = simulation.run_recorded(self.seed, self.options(trace));
        self.replayed(simulation, recorded)
    }

    /// Replays it like [`Repro::replay`], its trace handed to `sink` as it happens instead of
    /// kept (`ftsim replay --repro`: memory does not grow with the run).
    pub fn replay_streamed(
        &self,
        simulation: &dyn Simulation,
        sink: Box<dyn TraceSink>,
    ) -> Replayed {
        let recorded = simulation.run_recorded_streamed(self.seed, self.options(false), sink);
        self.replayed(simulation, recorded)
    }

    /// Its plan, decisions and script, as a run takes them.
    fn options(&self, trace: bool) -> RunOptions<'_> {
        RunOptions {
            trace,
            plan: Some(&self.plan),
            choices: Some(&self.choices),
            script: self.script.as_ref(),
        }
    }

    fn replayed(&self, simulation: &dyn Simulation, recorded: Recorded) -> Replayed {
        Replayed {
            fails_alike: self.failure.shown_by(&recorded.report),
            fit: recorded.fit.unwrap_or_default(),
            expected_hash: self.expected_hash(),
            params: simulation.params(),
            report: recorded.report,
        }
    }
}

impl Replayed {
    /// Whether this is the recorded run: the expected hash, every decision from the recording.
    pub fn is_recorded_run(&self) -> bool {
        self.expected_hash == Some(self.report.trace_hash) && self.fit.is_exact()
    }

    /// Why this run is not the recorded one, one sentence a line; empty if it is.
    pub fn explanation(&self, repro: &Repro) -> Vec<String> {
        if self.is_recorded_run() {
            return Vec::new();
        }
        let mut lines = vec![format!(
            "trace hash differs: the repro expects {}, this build gives {:016x}",
            repro.trace_hash, self.report.trace_hash
        )];
        lines.extend(self.departure());
        if self.params != repro.params {
            lines.push(
                "the protocol's parameters differ from the recorded ones (a parameter added, \
                 removed or given another default)"
                    .to_string(),
            );
        }
        lines.push(cause(repro));
        if !self.fails_alike {
            lines.push(format!(
                "the recorded failure ({}) no longer happens",
                repro.failure.describe()
            ));
        }
        lines
    }

    /// Where and how much the run departed from its recorded decisions.
    fn departure(&self) -> Vec<String> {
        if self.fit.is_exact() {
            return vec![
                "every decision came from the recording: the events are the same, \
                 their contents differ (a message, timer or observation of another shape)"
                    .to_string(),
            ];
        }
        let mut lines = Vec::new();
        if let Some(first) = self.fit.first {
            let recorded = match first.recorded_bound {
                Some(b) => format!(
                    "was recorded with {b} outcomes, is now asked with {}",
                    first.bound
                ),
                None => "was never recorded".to_string(),
            };
            lines.push(format!(
                "the run left its recording at decision {}: {} {recorded}",
                first.index,
                describe_draw(first.stream, first.draw)
            ));
        }
        lines.push(format!(
            "{} decision(s) not as recorded, {} recorded decision(s) never asked for",
            self.fit.divergences, self.fit.unused
        ));
        lines
    }
}

/// What may have changed since the repro was written.
fn cause(repro: &Repro) -> String {
    if repro.ftsim_version == FTSIM_VERSION {
        format!(
            "why: the protocol's code (or the repro's scenario) differs from the build that \
             wrote it; ftsim is the same version ({FTSIM_VERSION})"
        )
    } else {
        format!(
            "why: the protocol's code or ftsim differs from the build that wrote the repro \
             (ftsim {}; this is ftsim {FTSIM_VERSION})",
            repro.ftsim_version
        )
    }
}

/// A decision in words: "the delay of message 2 from n0 to n1".
pub fn describe_draw(stream: Stream, draw: Draw) -> String {
    let msg = |what: &str| {
        draw.msg().map_or_else(String::new, |m| {
            format!("{what} message {} from n{} to n{}", m.seq, m.from, m.to)
        })
    };
    match draw {
        Draw::Loss { .. } => msg("the loss of"),
        Draw::Duplicate { .. } => msg("the duplication of"),
        Draw::SendOmission { .. } => msg("the send omission of"),
        Draw::ReceiveOmission { .. } => msg("the receive omission of"),
        Draw::Delay { copy, .. } | Draw::DelayTail { copy, .. } => msg(if copy {
            "the copy's delay of"
        } else {
            "the delay of"
        }),
        Draw::Tamper { .. } => msg("the adversary's pick about"),
        Draw::Tear { node } => format!("how many unsynced writes of n{node} a crash tears off"),
        Draw::Chance { .. } | Draw::Pick => match stream {
            Stream::Process(i) => format!("a draw of process n{i}"),
            Stream::Adversary => "a draw of the adversary".to_string(),
            Stream::Detector => "a mistake of the failure detector".to_string(),
            Stream::Network => "a draw of the network".to_string(),
            Stream::FaultPlan => "a draw of the fault plan".to_string(),
            Stream::Storage => "a draw of the storage faults".to_string(),
        },
    }
}
