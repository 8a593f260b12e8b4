//! The sequential objects a history file is checked against, after Jepsen's and Knossos's:
//! a register, a compare-and-set register, a key-value map, a set, a FIFO queue, a counter
//! and a mutex. Each is one file here, with its sequential specification and unit tests; the
//! tests in src/tests/ check each against a brute-force search on random histories.
//!
//! All share one [`SequentialModel`], [`FileModel`], over the values files hold: its input is
//! a [`FileOp`] (the object's key, the operation and its argument), its state and output are
//! [`Value`]s. An operation whose outcome the invocation fixes (a write, a cas, an enqueue…)
//! returns the same output whenever it succeeds, and a distinct failure marker when the
//! object refuses it (a cas whose expected value is not there, acquiring a held mutex); an
//! `:ok` completion of such an operation is recorded with the success output, so a refused
//! one that the file says succeeded is not linearizable. An operation that observes the
//! object (a read, a dequeue) returns what it saw, and is recorded with the completion's value.

mod cas_register;
mod counter;
mod kv;
mod log;
mod mutex;
mod queue;
mod register;
mod set;

use std::fmt;
use std::str::FromStr;

use ftsim_api::properties::linearizability::SequentialModel;

use crate::value::Value;

/// Which sequential object a history is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelKind {
    /// A read/write register (`register`).
    Register,
    /// A register with compare-and-set (`cas-register`).
    CasRegister,
    /// A map of registers, one per key, with appends and cas (`kv`).
    KeyValue,
    /// A set that grows (`set`).
    Set,
    /// A FIFO queue (`queue`).
    Queue,
    /// A counter (`counter`).
    Counter,
    /// A mutual-exclusion lock (`mutex`).
    Mutex,
    /// An append-only log whose appends return their position (`log`).
    Log,
}

impl ModelKind {
    /// Every model, in the order help lists them.
    pub const ALL: [ModelKind; 8] = [
        ModelKind::Register,
        ModelKind::CasRegister,
        ModelKind::KeyValue,
        ModelKind::Set,
        ModelKind::Queue,
        ModelKind::Counter,
        ModelKind::Mutex,
        ModelKind::Log,
    ];

    /// The model's name on a command line ("register", "cas-register", "kv", "set", "queue",
    /// "counter", "mutex", "log").
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::CasRegister => "cas-register",
            ModelKind::KeyValue => "kv",
            ModelKind::Set => "set",
            ModelKind::Queue => "queue",
            ModelKind::Counter => "counter",
            ModelKind::Mutex => "mutex",
            ModelKind::Log => "log",
        }
    }

    /// The model in one line, naming its operations (for `--help` and errors).
    pub fn description(self) -> &'static str {
        match self {
            ModelKind::Register => "a read/write register: read, write",
            ModelKind::CasRegister => "a register with compare-and-set: read, write, cas [from to]",
            ModelKind::KeyValue => {
                "a register per key ([k v] values or a \"key\"): read/get, write/put, append, \
                 cas [from to]"
            }
            ModelKind::Set => "a set: add, read (the whole set)",
            ModelKind::Queue => "a FIFO queue: enqueue, dequeue (nil when empty)",
            ModelKind::Counter => "a counter from 0: add/increment (1 when no value), read",
            ModelKind::Mutex => "a lock: acquire, release",
            ModelKind::Log => "an append-only log: append (returns its position), read (length)",
        }
    }

    /// The operation a file's `f` names in this model, if the model knows it.
    pub fn fun(self, f: &str) -> Option<Fun> {
        let f = f.strip_prefix(':').unwrap_or(f);
        spec(self)
            .ops()
            .iter()
            .find(|(_, names)| names.contains(&f))
            .map(|&(fun, _)| fun)
    }

    /// The names of the operations the model knows, for messages ("read (or get), write").
    pub fn known_ops(self) -> String {
        let ops: Vec<String> = spec(self)
            .ops()
            .iter()
            .map(|(_, names)| match names {
                [name] => name.to_string(),
                [name, others @ ..] => format!("{name} (or {})", others.join(", or ")),
                [] => String::new(),
            })
            .collect();
        ops.join(", ")
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a model's name; the error lists every model with its description.
impl FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let list: Vec<String> = ModelKind::ALL
                    .iter()
                    .map(|k| format!("  {:<13}{}", k.name(), k.description()))
                    .collect();
                format!("no model {s:?}; the models are:\n{}", list.join("\n"))
            })
    }
}

/// An operation, as any model knows it (a model knows some of them; files may name several
/// by other names, such as `get` for [`Fun::Read`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fun {
    /// Observe the object (a register's value, a set's elements, a counter's count).
    Read,
    /// Set a register's value.
    Write,
    /// Compare-and-set: `[from to]`.
    Cas,
    /// Append to a key's value.
    Append,
    /// Add an element to a set, or an amount to a counter.
    Add,
    /// Put an element at a queue's tail.
    Enqueue,
    /// Take the element at a queue's head.
    Dequeue,
    /// Take a lock.
    Acquire,
    /// Give a lock back.
    Release,
}

impl Fun {
    /// The operation's own name ("read", "cas", "enqueue"…).
    pub fn name(self) -> &'static str {
        match self {
            Fun::Read => "read",
            Fun::Write => "write",
            Fun::Cas => "cas",
            Fun::Append => "append",
            Fun::Add => "add",
            Fun::Enqueue => "enqueue",
            Fun::Dequeue => "dequeue",
            Fun::Acquire => "acquire",
            Fun::Release => "release",
        }
    }
}

impl fmt::Display for Fun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One operation of a history file as a model takes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileOp {
    /// The object it touches ([`Value::Nil`] when there is one object).
    pub key: Value,
    /// The operation.
    pub f: Fun,
    /// Its argument (the invocation's value, less the key of a `[key value]` tuple).
    pub arg: Value,
}

/// A sequential model for history files: which object, its initial state, and whether the
/// file's values are `[key value]` tuples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileModel {
    /// Which object.
    pub kind: ModelKind,
    /// Every object's state before any operation; nil means the model's own empty state (an
    /// unwritten register reads nil, a set is empty, a counter 0, a mutex free).
    pub initial: Value,
    /// Whether every operation's value is a `[key value]` tuple (Jepsen's `independent`
    /// histories), each key an object of its own. The key-value model always is keyed (by a
    /// record's key, or else by such tuples).
    pub independent: bool,
}

impl FileModel {
    /// The model `kind`, from its empty state, one object unless the file gives keys.
    pub fn new(kind: ModelKind) -> Self {
        FileModel {
            kind,
            initial: Value::Nil,
            independent: false,
        }
    }

    /// Whether every operation carries a key: in a `[key value]` tuple, or as the record's key.
    pub fn keyed(&self) -> bool {
        self.independent || self.kind == ModelKind::KeyValue
    }

    /// Each object's first state, or why `initial` does not fit the model.
    pub fn initial_state(&self) -> Result<Value, String> {
        self.spec().init(&self.initial).map_err(|why| {
            format!(
                "the initial value {} does not fit the {} model: {why}",
                self.initial, self.kind
            )
        })
    }

    /// Whether `op`'s argument fits its operation (a cas takes `[from to]`, a counter's add an
    /// integer), and why not.
    pub fn check_arg(&self, op: &FileOp) -> Result<(), String> {
        self.spec().check_arg(op)
    }

    /// Whether `op` observes the object: its output is what the file recorded (a read, a
    /// dequeue, a log's append), not fixed by its invocation.
    pub fn observes(&self, op: &FileOp) -> bool {
        self.spec().fixed_output(op).is_none()
    }

    /// What an `:ok` completion of `op` returns, given the value the file recorded for it: an
    /// operation that observes the object returns that value (a set's read as a set);
    /// any other returns its success output whatever the file says.
    pub fn recorded_output(&self, op: &FileOp, recorded: Value) -> Value {
        let spec = self.spec();
        match spec.fixed_output(op) {
            Some(out) => out,
            None => spec.observed(recorded),
        }
    }

    fn spec(&self) -> &'static dyn Spec {
        spec(self.kind)
    }
}

impl SequentialModel for FileModel {
    type Key = Value;
    type State = Value;
    type Input = FileOp;
    type Output = Value;

    fn key(&self, op: &FileOp) -> Value {
        op.key.clone()
    }

    fn init(&self) -> Value {
        self.initial_state().unwrap_or(Value::Nil)
    }

    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value) {
        self.spec().step(state, op)
    }

    fn describe(&self, op: &FileOp, output: Option<&Value>) -> String {
        let name = op.f.name();
        match (op.f, output) {
            (_, Some(out)) if self.observes(op) && op.arg.is_nil() => format!("{name} → {out}"),
            (_, None) if self.observes(op) && op.arg.is_nil() => name.to_string(),
            (_, Some(out)) if self.observes(op) => format!("{name} {} → {out}", op.arg),
            (Fun::Cas, _) => match op.arg.as_pair() {
                Some((from, to)) => format!("cas {from}→{to}"),
                None => format!("cas {}", op.arg),
            },
            (Fun::Acquire | Fun::Release, _) => name.to_string(),
            (Fun::Add, _) if self.kind == ModelKind::Counter && op.arg.is_nil() => {
                "add 1".to_string()
            }
            _ => format!("{name} {}", op.arg),
        }
    }

    fn describe_state(&self, state: &Value) -> String {
        self.spec().describe_state(state)
    }

    fn object_name(&self) -> &'static str {
        self.spec().object_name()
    }

    fn describe_key(&self, key: &Value) -> Option<String> {
        (!key.is_nil()).then(|| key.to_string())
    }
}

/// A model's sequential specification, over [`Value`]s.
pub(crate) trait Spec: Sync {
    /// The operations it knows, each with the names files give it (its own name first).
    fn ops(&self) -> &'static [(Fun, &'static [&'static str])];

    /// What one object is called in explanations.
    fn object_name(&self) -> &'static str;

    /// The first state, from the model's `initial` value (nil: the empty state).
    fn init(&self, initial: &Value) -> Result<Value, String>;

    /// Whether an operation's argument fits it.
    fn check_arg(&self, _op: &FileOp) -> Result<(), String> {
        Ok(())
    }

    /// The next state and the output.
    fn step(&self, state: &Value, op: &FileOp) -> (Value, Value);

    /// The output of a successful `op` when its invocation fixes it; `None` for an
    /// operation that observes the object.
    fn fixed_output(&self, op: &FileOp) -> Option<Value>;

    /// A recorded output of an observing operation, as the model compares it.
    fn observed(&self, recorded: Value) -> Value {
        recorded
    }

    /// A state in words.
    fn describe_state(&self, state: &Value) -> String {
        state.to_string()
    }
}

/// The specification of `kind`.
pub(crate) fn spec(kind: ModelKind) -> &'static dyn Spec {
    match kind {
        ModelKind::Register => &register::Register,
        ModelKind::CasRegister => &cas_register::CasRegister,
        ModelKind::KeyValue => &kv::KeyValue,
        ModelKind::Set => &set::Set,
        ModelKind::Queue => &queue::Queue,
        ModelKind::Counter => &counter::Counter,
        ModelKind::Mutex => &mutex::Mutex,
        ModelKind::Log => &log::Log,
    }
}

/// One step of `kind`'s model from `state`: the operation the model calls `f`, on `arg`.
#[cfg(test)]
pub(crate) fn step_named(kind: ModelKind, state: Value, f: &str, arg: Value) -> (Value, Value) {
    let op = FileOp {
        key: Value::Nil,
        f: kind.fun(f).unwrap_or_else(|| panic!("{kind} knows no {f}")),
        arg,
    };
    FileModel::new(kind).step(&state, &op)
}

/// The output of an operation the object refused: no file records it for an `:ok`
/// completion, since those get the operation's success output.
pub(crate) fn refused(f: Fun) -> Value {
    Value::Keyword(format!("{}-failed!", f.name()))
}

/// A compare-and-set's `[from to]`, or why the argument is not one.
pub(crate) fn cas_pair(arg: &Value) -> Result<(&Value, &Value), String> {
    arg.as_pair()
        .ok_or_else(|| format!("cas takes [from to], a list of two values, not {arg}"))
}
