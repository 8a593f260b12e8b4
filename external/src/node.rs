//! An external node: a program that speaks Maelstrom's format with ftsim's extension
//! (`wire`). Each handler is one step of the program: ftsim writes the input line, the program
//! prints what it does and `done`, and its lines become the handler's effects (sends, timers,
//! observations, storage), applied by the engine as a Rust protocol's would be. A node built
//! with [`ExternalNode::plain`] speaks plain Maelstrom instead: its step ends when it waits
//! on its stdin again (`plain`), and each of its lives is a fresh program.
//!
//! A program that misbehaves (prints what is not the protocol, exits, hangs, floods, grows
//! past its memory) fails its seed: the handler panics with a report naming the node, the
//! input it was handling and the end of its stderr, which the engine records as the seed's
//! outcome. That program is stopped, never reused.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use ftsim_api::command::Command;
use ftsim_api::{Duration, NodeId, TimerId};

use crate::messages::{Obs, Packet, Storage};
use crate::names::Names;
use crate::plain;
use crate::pool;
use crate::program::{clip, Limits, Program};
use crate::wire::{self, InitExtension, Output, FTSIM};

/// What a node's step can read and do: the handler's `Ctx`, as the process that carries the
/// node gives it.
pub trait NodeCtx {
    /// The virtual time, in nanoseconds.
    fn now_ns(&self) -> u64;
    /// A number drawn uniformly from `0..bound`.
    fn random_below(&mut self, bound: u64) -> u64;
    /// The node's durable storage.
    fn storage(&self) -> &Storage;
    /// The node's durable storage, to write.
    fn storage_mut(&mut self) -> &mut Storage;
    /// Makes the writes so far durable before what is sent next.
    fn sync(&mut self);
    /// Sends `body` to `to`.
    fn send(&mut self, to: NodeId, body: Packet);
    /// Arms the node's timer `number` to fire after `delay`.
    fn set_timer(&mut self, delay: Duration, number: u64) -> TimerId;
    /// Disarms a timer.
    fn cancel_timer(&mut self, id: TimerId);
    /// Reports an observation to the properties.
    fn observe(&mut self, obs: Obs);
}

/// The lines of a failed node's stderr its report shows.
const STDERR_LINES: usize = 5;

/// One external node.
pub struct ExternalNode {
    command: Arc<Command>,
    names: Arc<Names>,
    me: NodeId,
    limits: Limits,
    /// The workload's parameters, as a JSON object (`init` gives them to the node).
    params: Arc<serde_json::Value>,
    program: Option<Program>,
    /// The node's timer numbers and the engine's handles for them.
    timers: BTreeMap<u64, TimerId>,
    steps: u64,
    /// The lines of the current step (kept to reuse its buffer).
    outputs: Vec<Output>,
    /// Whether the program speaks plain Maelstrom, without ftsim's extension.
    plain: bool,
}

impl fmt::Debug for ExternalNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (external, {} steps, timers {:?})",
            self.names.name(self.me),
            self.steps,
            self.timers.keys().collect::<Vec<_>>()
        )
    }
}

impl Drop for ExternalNode {
    fn drop(&mut self) {
        if let Some(program) = self.program.take() {
            if !self.plain {
                pool::give_back(&self.command, program);
            }
        }
    }
}

impl ExternalNode {
    /// Node `me` of the group, running `command` (started at its first step).
    pub fn new(
        command: Arc<Command>,
        names: Arc<Names>,
        me: NodeId,
        limits: Limits,
        params: Arc<serde_json::Value>,
    ) -> Self {
        ExternalNode {
            command,
            names,
            me,
            limits,
            params,
            program: None,
            timers: BTreeMap::new(),
            steps: 0,
            outputs: Vec::new(),
            plain: false,
        }
    }

    /// The same node, whose program speaks plain Maelstrom (`plain`): each life is a fresh
    /// program, never kept for another seed.
    pub fn plain(mut self) -> Self {
        self.plain = true;
        self
    }

    /// The node starts (or restarts after a crash, with its storage): `init`.
    pub fn start(&mut self, ctx: &mut impl NodeCtx, recovered: bool) {
        if self.plain {
            self.start_plain(ctx);
            return;
        }
        if self.program.is_none() {
            match pool::take(&self.command) {
                Ok(program) => self.program = Some(program),
                Err(why) => self.fail(&why, "its start", String::new()),
            }
        }
        let ext = InitExtension {
            // Below 2^53, so that every language reads it exactly (JSON numbers are doubles in
            // JavaScript).
            seed: ctx.random_below(1 << 53),
            recovered,
            storage: &ctx.storage().0,
            params: &self.params,
        };
        let me = self.names.name(self.me);
        let line = wire::init_line(&me, &self.names.server_names(), ctx.now_ns(), &ext);
        let answered = self.step(ctx, &line);
        if !answered {
            self.fail(
                "did not answer init with init_ok before its \"done\"",
                &line,
                String::new(),
            );
        }
    }

    /// A plain Maelstrom node starts: a fresh program (a restart loses everything, as a
    /// killed process does), then `init`. Warns if the program runs threads of its own.
    fn start_plain(&mut self, ctx: &mut impl NodeCtx) {
        self.program = None;
        match Program::spawn(&self.command) {
            Ok(program) => self.program = Some(program),
            Err(why) => self.fail(&why, "its start", String::new()),
        }
        let me = self.names.name(self.me);
        let line = wire::plain_init_line(&me, &self.names.server_names());
        if !self.step(ctx, &line) {
            self.fail("did not answer init with init_ok", &line, String::new());
        }
        let pid = self.program.as_ref().map_or(0, Program::pid);
        let threads = plain::threads(pid);
        if threads > 1 {
            plain::warn_once(format!(
                "the node `{}` runs {threads} threads: without ftsim's extension only a \
                 single-threaded node is sure to replay (--check-determinism says whether its \
                 runs do)",
                self.command
            ));
        }
    }

    /// A message from `from` arrives.
    pub fn deliver(&mut self, ctx: &mut impl NodeCtx, from: NodeId, msg: &Packet) {
        let me = self.names.name(self.me);
        let src = self.names.name(from);
        let line = if self.plain {
            wire::plain_message_line(&src, &me, &msg.0)
        } else {
            wire::message_line(&src, &me, &msg.0, ctx.now_ns())
        };
        self.step(ctx, &line);
    }

    /// Timer `number` fires.
    pub fn fire(&mut self, ctx: &mut impl NodeCtx, number: u64) {
        self.timers.remove(&number);
        self.step(ctx, &wire::timer_line(number, ctx.now_ns()));
    }

    /// The failure detector's notice about `node`.
    pub fn notice(&mut self, ctx: &mut impl NodeCtx, notice: &str, node: NodeId) {
        if self.plain {
            return; // plain Maelstrom has no failure detector
        }
        let line = wire::notice_line(notice, &self.names.name(node), ctx.now_ns());
        self.step(ctx, &line);
    }

    /// One step: `input` in, its lines applied. Whether the program answered `init`.
    fn step(&mut self, ctx: &mut impl NodeCtx, input: &str) -> bool {
        self.steps += 1;
        let Some(program) = self.program.as_mut() else {
            self.fail("is not running", input, String::new());
        };
        let mut outputs = std::mem::take(&mut self.outputs);
        let stepped = if self.plain {
            program.step_plain(input, &mut outputs, &self.limits)
        } else {
            program
                .step(input, &mut outputs, &self.limits)
                .map(|()| false)
        };
        match stepped {
            Err(why) => {
                let stderr = program.stderr_tail();
                self.fail(&why, input, stderr);
            }
            Ok(true) => plain::warn_once(format!(
                "the node `{}` printed between steps (a timer or a thread of its own): its \
                 runs may not replay (--check-determinism says whether they do)",
                self.command
            )),
            Ok(false) => {}
        }
        let mut answered_init = false;
        for output in outputs.drain(..) {
            match self.apply(ctx, output) {
                Ok(init_ok) => answered_init |= init_ok,
                Err(why) => {
                    let stderr = self.program.as_mut().map(Program::stderr_tail);
                    self.fail(&why, input, stderr.unwrap_or_default());
                }
            }
        }
        self.outputs = outputs;
        answered_init
    }

    /// Applies one line; `Ok(true)` for the answer to `init`.
    fn apply(&mut self, ctx: &mut impl NodeCtx, output: Output) -> Result<bool, String> {
        match output {
            Output::Send { dest, body } if dest == FTSIM => {
                let reply: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let init_ok = reply["type"] == "init_ok";
                if !init_ok {
                    return Err(format!("sent ftsim a message that is not init_ok: {body}"));
                }
                return Ok(true);
            }
            Output::Send { dest, body } => {
                let Some(to) = self.names.id(&dest) else {
                    let all: Vec<String> = (0..self.names.nodes())
                        .filter(|&n| !self.names.is_server(n))
                        .map(|n| self.names.name(n))
                        .collect();
                    return Err(format!(
                        "sent a message to {:?}, which is not a node of the group (n0 to n{}, \
                         then {})",
                        clip(&dest, 40),
                        self.names.servers().saturating_sub(1),
                        all.join(", ")
                    ));
                };
                ctx.send(to, Packet(body.into()));
            }
            Output::SetTimer { timer, delay_ns } => {
                if let Some(old) = self.timers.remove(&timer) {
                    ctx.cancel_timer(old);
                }
                let id = ctx.set_timer(Duration(delay_ns), timer);
                self.timers.insert(timer, id);
            }
            Output::CancelTimer { timer } => {
                if let Some(id) = self.timers.remove(&timer) {
                    ctx.cancel_timer(id);
                }
            }
            Output::Observe { kind, value } => ctx.observe(Obs::Node {
                kind: kind.into(),
                value: value.into(),
            }),
            Output::Write { key, value } => {
                let storage = &mut ctx.storage_mut().0;
                match value {
                    Some(value) => storage.insert(key, value),
                    None => storage.remove(&key),
                };
            }
            Output::Sync => ctx.sync(),
            Output::Done => {}
        }
        Ok(false)
    }

    /// Stops the program (it is not reused) and fails the seed with a report.
    fn fail(&mut self, why: &str, input: &str, stderr: String) -> ! {
        self.program = None;
        let mut report = format!(
            "external node {} (`{}`) {why}, handling {}",
            self.names.name(self.me),
            self.command,
            clip(input, 300)
        );
        // The last lines of stderr (a traceback's last line says most), on the report's one
        // line, so that it wraps at a terminal's width.
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let last = &lines[lines.len().saturating_sub(STDERR_LINES)..];
        if last.is_empty() {
            report.push_str("; it wrote nothing on stderr");
        } else {
            let shown: Vec<&str> = last.iter().map(|l| l.trim()).collect();
            report.push_str("; the end of its stderr: ");
            report.push_str(&clip(&shown.join(" | "), 600));
        }
        panic!("{report}");
    }
}
