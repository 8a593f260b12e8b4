//! An external node: a program that speaks Maelstrom's format with ftsim's extension
//! (`wire`). Each handler is one step of the program: ftsim writes the input line, the program
//! prints what it does and `done`, and its lines become the handler's effects (sends, timers,
//! observations, storage), applied by the engine as a Rust protocol's would be. A node built
//! with [`ExternalNode::plain`] speaks plain Maelstrom instead: its step ends when it waits
//! on its stdin again (`plain`), and each of its lives is a fresh program.
//!
//! A node holds no program of its own: it holds a ticket to one its thread keeps (`live`),
//! and the lines of its life (`history`). So a search can copy a node (`Clone`, the history
//! shared) and fingerprint it (`Hash`, the history's hash), and a copy, or a node whose
//! program its thread took back, is rebuilt at its next step by writing a fresh program the
//! same lines again, which must answer as before.
//!
//! A program that misbehaves (prints what is not the protocol, exits, hangs, floods, grows
//! past its memory, answers its inputs differently when they are written again) fails its
//! seed: the handler panics with a report naming the node, the input it was handling and the
//! end of its stderr, which the engine records as the seed's outcome. That program is
//! stopped, never reused.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use ftsim_api::command::Command;
use ftsim_api::{Duration, NodeId, TimerId};

use crate::history::{self, History};
use crate::live;
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
    /// The program it runs, as its thread holds it (`live`): none before its first step or
    /// once another copy of the node took the program; shared by copies.
    ticket: Option<live::Ticket>,
    /// The lines of its current life.
    history: History,
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
        self.release();
    }
}

impl Clone for ExternalNode {
    /// The same node in the same state, sharing its program's ticket: the first of the two to
    /// step takes the program, the other is rebuilt from the history at its next step. Panics
    /// for a node whose life outgrew what a history keeps.
    fn clone(&self) -> Self {
        if self.history.outgrown() {
            panic!(
                "external node {} took more than {} steps in one life: a search copies a node \
                 by writing its inputs again, and keeps at most that many (search shorter runs)",
                self.names.name(self.me),
                history::LINES_MAX
            );
        }
        ExternalNode {
            command: Arc::clone(&self.command),
            names: Arc::clone(&self.names),
            me: self.me,
            limits: self.limits,
            params: Arc::clone(&self.params),
            ticket: self.ticket.clone(),
            history: self.history.clone(),
            timers: self.timers.clone(),
            steps: self.steps,
            outputs: Vec::new(),
            plain: self.plain,
        }
    }
}

impl std::hash::Hash for ExternalNode {
    /// A node's state is its history (the timers it armed follow from it).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.history.hash(state);
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
            ticket: None,
            history: History::default(),
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
        self.begin_life();
        if self.plain {
            self.start_plain(ctx);
            return;
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
        let me = self.names.name(self.me);
        let line = wire::plain_init_line(&me, &self.names.server_names());
        if !self.step(ctx, &line) {
            self.fail("did not answer init with init_ok", &line, String::new());
        }
        let pid = self.ticket.as_ref().and_then(live::pid);
        let threads = plain::threads(pid.unwrap_or(0));
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
        let mut program = self.program_for(input);
        let mut outputs = std::mem::take(&mut self.outputs);
        match self.run(&mut program, input, &mut outputs) {
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
        self.history.push(input, &outputs);
        let mut answered_init = false;
        for output in outputs.drain(..) {
            match self.apply(ctx, output) {
                Ok(init_ok) => answered_init |= init_ok,
                Err(why) => {
                    let stderr = program.stderr_tail();
                    self.fail(&why, input, stderr);
                }
            }
        }
        self.outputs = outputs;
        self.ticket = live::put(&self.command, self.plain, program, self.held_max());
        answered_init
    }

    /// `input` through `program`, its lines read into `outputs`: whether a plain program
    /// printed between steps.
    fn run(
        &self,
        program: &mut Program,
        input: &str,
        outputs: &mut Vec<Output>,
    ) -> Result<bool, String> {
        if self.plain {
            program.step_plain(input, outputs, &self.limits)
        } else {
            program.step(input, outputs, &self.limits).map(|()| false)
        }
    }

    /// The node's program, in the state its history left it: the one its thread holds for it,
    /// else a fresh one written the history's lines again. `input` is what the node is about
    /// to handle, for a failure's report.
    fn program_for(&mut self, input: &str) -> Program {
        if let Some(program) = self.ticket.take().and_then(live::take) {
            return program;
        }
        let fresh = if self.plain {
            Program::spawn(&self.command)
        } else {
            pool::take(&self.command)
        };
        let mut program = match fresh {
            Ok(program) => program,
            Err(why) => self.fail(&why, input, String::new()),
        };
        if let Err((why, line)) = self.rebuild(&mut program) {
            let stderr = program.stderr_tail();
            self.fail(&why, &line, stderr);
        }
        program
    }

    /// Writes `program` this life's lines again; each must get the answer it got the first
    /// time. Why not, and the line it failed at.
    fn rebuild(&self, program: &mut Program) -> Result<(), (String, String)> {
        let Some(lines) = self.history.lines() else {
            let why = format!(
                "took more than {} steps in one life, which a copy cannot write again",
                history::LINES_MAX
            );
            return Err((why, String::new()));
        };
        let mut outputs = Vec::new();
        for (step, &(line, answer)) in lines.iter().enumerate() {
            if let Err(why) = self.run(program, line, &mut outputs) {
                return Err((
                    format!("{why}, while its inputs were written again"),
                    line.into(),
                ));
            }
            if history::answer_hash(&outputs) != answer {
                let why = format!(
                    "answered its input {} differently when it was written again: a search \
                     runs a node again from its inputs, so what it prints must follow from \
                     them (its seed, its inputs' times), not from the wall clock or threads",
                    step + 1
                );
                return Err((why, line.into()));
            }
        }
        Ok(())
    }

    /// A new life begins (a start, or a restart after a crash): the program held for the
    /// last one goes back, and the history starts over.
    fn begin_life(&mut self) {
        self.release();
        self.history = History::default();
    }

    /// Gives up the node's ticket: the program goes back (to the pool, unless plain) if no copy
    /// holds the ticket.
    fn release(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            live::give_up(ticket);
        }
    }

    /// The most programs this node's thread keeps for nodes.
    fn held_max(&self) -> usize {
        self.names.servers().saturating_mul(2)
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
        // The program is stopped (dropped), never reused.
        drop(self.ticket.take().and_then(live::take));
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
