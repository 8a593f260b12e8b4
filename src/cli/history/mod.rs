//! `ftsim history FILE --model M`: checks a history file (Jepsen's EDN, ftsim's JSON lines or
//! plain text) for linearizability against a sequential model, and says why not, in words,
//! as JSON (`ftsim.history`, docs/json.md) or as a page (`--html`). Exit codes: 0
//! linearizable, 1 not, 2 bad input, 3 undecided within the limits.

mod print;
mod view;

use std::path::{Path, PathBuf};

use ftsim_api::properties::linearizability::{check_with, decide_with, Limits};
use ftsim_history::{build, read, read_value, sniff, FileHistory, FileModel, ModelKind, Value};

use super::app::App;
use super::error::{CliError, Status};
use super::files::{check_output, write_output};
use super::output::{ewrapped, stopwatch, Format, FormatFlag};
use print::Judged;

/// Check a history file (Jepsen EDN, JSON lines) for linearizability
#[derive(clap::Args)]
#[command(long_about = LONG_ABOUT)]
pub struct HistoryArgs {
    /// The history file: .edn, .jsonl or text
    ///
    /// The history: Jepsen/Knossos EDN (.edn), ftsim's JSON lines (.jsonl, .json) or text
    /// lines `PROCESS TYPE F [VALUE]` (docs/json.md).
    pub file: PathBuf,
    /// The object the operations act on
    #[arg(long, value_name = "MODEL", value_parser = parse_model)]
    pub model: ModelKind,
    /// Values are [key value] tuples, a key an object
    ///
    /// Values are Jepsen's independent [key value] tuples: each key is its own object.
    #[arg(long)]
    pub independent: bool,
    /// Objects' first state (JSON or EDN: 0, [1 2])
    ///
    /// Every object's state before any operation, a JSON or EDN value (e.g. 0, [1 2]);
    /// default: the model's empty state (a register reads nil, a counter 0).
    #[arg(long, value_name = "VALUE", value_parser = parse_initial)]
    pub initial: Option<Value>,
    #[command(flatten)]
    pub output: FormatFlag,
    /// Draw the history as an HTML page
    ///
    /// Also draw the history as a page: a lane per process, the culprit ringed.
    #[arg(long, value_name = "FILE.html")]
    pub html: Option<PathBuf>,
    /// Wall time to stop after (10s, 500ms)
    ///
    /// Stop after this much wall-clock time (e.g. 10s, 500ms); the verdict is then
    /// "undecided" (exit 3).
    #[arg(long, value_name = "T")]
    pub time_limit: Option<ftsim_api::Duration>,
    /// Steps each key's search may take
    ///
    /// Stop each key's search after this many steps (same verdict on every machine).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_steps)]
    pub max_steps: u64,
    /// Only the verdict, without why
    ///
    /// The verdict alone: stop at the first key refuted and name it, without the culprit,
    /// the smallest failing prefix or why (faster on a history that is not linearizable).
    #[arg(long, conflicts_with = "html")]
    pub verdict_only: bool,
    /// Threads to search keys on (default: all cores)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// `ftsim help history`.
const LONG_ABOUT: &str = "Check a history file for linearizability.\n\n\
    Reads Jepsen/Knossos EDN histories ({:type :invoke|:ok|:fail|:info, :f, :value, \
    :process}), ftsim's JSON lines, or text lines `PROCESS TYPE F [VALUE]`. An :info \
    operation may or may not have taken effect; a :fail one did not happen. Keys are \
    judged apart, on several threads; the first key refuted decides the verdict, and the \
    explanation names the operation whose response cannot be linearized, the completed \
    operations that pin the state it reasons about, and the order that linearizes what came \
    before.\n\n\
    Exit codes: 0 linearizable; 1 not linearizable; 2 bad input or usage; 3 undecided \
    within the limits (which limit is said).";

/// The models `--model` takes, for clap.
fn parse_model(text: &str) -> Result<ModelKind, String> {
    text.parse::<ModelKind>().map_err(|_| {
        let names: Vec<String> = ModelKind::ALL.iter().map(|m| m.to_string()).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

/// `--initial`, for clap.
fn parse_initial(text: &str) -> Result<Value, String> {
    read_value(text).map_err(|why| format!("expected a JSON or EDN value: {why}"))
}

/// `ftsim history`: read, check, say.
pub fn main(args: HistoryArgs, _app: &App) -> Result<Status, CliError> {
    if let Some(html) = &args.html {
        check_output(html)?;
    }
    let model = FileModel {
        independent: args.independent,
        initial: args.initial.clone().unwrap_or(Value::Nil),
        ..FileModel::new(args.model)
    };
    model
        .initial_state()
        .map_err(|why| CliError::Usage(format!("--initial: {why}")))?;
    let file = load(&args.file, &model)?;
    let limits = Limits {
        max_steps: args.max_steps,
        time: args
            .time_limit
            .map(|t| std::time::Duration::from_nanos(t.as_nanos())),
        threads: args.threads.map_or_else(default_threads, usize::from),
        ..Limits::default()
    };
    let started = stopwatch();
    let judged = if args.verdict_only {
        Judged::Decided(decide_with(&model, &file.history, limits))
    } else {
        Judged::Explained(check_with(&model, &file.history, limits))
    };
    let elapsed = started.elapsed();
    let said = print::Said {
        path: &args.file,
        model: &model,
        file: &file,
        judged: &judged,
    };
    match args.output.format {
        Format::Text => said.text(elapsed),
        Format::Json => said.json(),
    }
    if let (Some(html), Judged::Explained(verdict)) = (&args.html, &judged) {
        let page = reports::html::render_history(&view::of(&said, verdict));
        write_output(html, page.as_bytes())?;
        eprint!("{}", ewrapped("", &format!("wrote {}", html.display())));
    }
    Ok(judged.status())
}

/// The file read and paired into a history; a bad one is an error naming its line.
fn load(path: &Path, model: &FileModel) -> Result<FileHistory, CliError> {
    let bad = |line: usize, message: String| CliError::History {
        path: path.to_path_buf(),
        line,
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(0, format!("cannot read it: {e}")))?;
    let records = read(&text, sniff(path, &text)).map_err(|e| bad(e.line, e.message))?;
    build(&records, model).map_err(|e| bad(e.line, e.message))
}

/// The machine's cores (keys are independent searches).
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
