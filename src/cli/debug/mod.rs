//! `ftsim debug`: a scenario's search driven by hand in the browser. A local web server
//! (loopback only) serves a page that shows a position of the explorer's asynchronous
//! semantics (the space-time diagram so far, each node's state, the messages in flight, every
//! property's status) and lets a person pick the next move, step back, branch, run on at random
//! and download the path as a repro file. The page's address carries the path (`path.rs`), and
//! the server replays it for each request (`routes.rs`) with the explorer's own stepper, so a
//! path clicked by hand is one `explore` would take, and its repro replays as `explore`'s do.

mod http;
mod json;
mod path;
mod routes;
mod start;

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;

use crate::cli::app::App;
use crate::cli::error::{CliError, Status};
use crate::cli::output::ewrapped;

use routes::Debugger;
use start::Start;

/// Step through a scenario in the browser, choosing each event
#[derive(clap::Args, Debug)]
#[command(long_about = LONG_ABOUT)]
pub struct DebugArgs {
    /// The scenario file
    #[arg(required_unless_present = "repro")]
    pub file: Option<PathBuf>,
    /// Port at 127.0.0.1 [default: a free one]
    #[arg(long)]
    pub port: Option<u16>,
    /// Open at this path of moves (0,3,1.2)
    ///
    /// Open at this path of moves, as the page's address writes it (0,3,1.2).
    #[arg(long, value_name = "MOVES", conflicts_with_all = ["seed", "repro"])]
    pub path: Option<String>,
    /// Open at the run of this seed
    ///
    /// Open at the run of this seed (a sweep's failing seed), as far as a search follows it.
    #[arg(long, value_name = "S", conflicts_with = "repro")]
    pub seed: Option<u64>,
    /// Open at the run of this repro file
    ///
    /// Open at the run of this repro file (shrunk, or explore's), instead of a scenario.
    #[arg(long, value_name = "REPRO.json", conflicts_with = "file")]
    pub repro: Option<PathBuf>,
    /// Open the page in the system's browser
    #[arg(long)]
    pub open: bool,
}

const LONG_ABOUT: &str = "Step through a scenario's protocol in the browser, choosing each \
    next event.\n\n\
    Serves a page on 127.0.0.1 (the address is printed on stderr) that shows the run so far \
    as a space-time diagram, each node's state, the messages in flight and every property's \
    status, and lists every move enabled next: a delivery, a loss, a timer, a crash or \
    recovery within the scenario's budget, a detector notice. Click one to take it; step back, \
    branch, run on at random, or run until a property breaks. The page's address holds the \
    path, so a link reproduces a position; a path that breaks a property downloads as a repro \
    file for `replay --repro`, `shrink --repro` and `diff`. The moves are `explore`'s: the \
    protocol must consent to be searched. Ctrl-C stops the server. The page, and which runs a search \
    can follow: docs/debugger.md.";

/// `ftsim debug`: the scenario's search served until the process is stopped.
pub fn main(args: DebugArgs, app: &App) -> Result<Status, CliError> {
    let start = match (&args.path, args.seed, &args.repro) {
        (_, _, Some(repro)) => Start::Repro(repro),
        (_, Some(seed), None) => Start::Seed(seed),
        (path, None, None) => Start::Path(path.as_deref().unwrap_or("")),
    };
    let opened = start::open(app, args.file.as_deref(), start)?;
    let (scenario, explorer, start) = (opened.scenario, opened.explorer, opened.path);
    let asked = args.port.unwrap_or(0);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, asked))
        .map_err(|e| CliError::Usage(format!("cannot listen on 127.0.0.1:{asked}: {e}")))?;
    let port = listener.local_addr().map_or(0, |a| a.port());
    let query = match start.is_empty() {
        true => String::new(),
        false => format!("?path={}", path::format(&start)),
    };
    let url = format!("http://127.0.0.1:{port}/{query}");
    eprint!(
        "{}",
        ewrapped(
            "",
            &format!(
                "debug {} ({} on {} nodes): serving {url} (Ctrl-C stops)",
                scenario.file.display(),
                scenario.simulation.protocol(),
                scenario.simulation.spec().nodes,
            )
        )
    );
    if args.open {
        open_in_browser(&url);
    }
    let debugger = Debugger { scenario, explorer };
    http::serve(&listener, port, &mut |request| debugger.answer(request));
    Ok(Status::Met)
}

/// Opens `url` in the system's browser, or says why it could not.
fn open_in_browser(url: &str) {
    let opener = match std::env::consts::OS {
        "macos" => "open",
        "windows" => "explorer",
        _ => "xdg-open",
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprint!(
            "{}",
            ewrapped(
                "warning: ",
                &format!("cannot open a browser ({opener}: {e})")
            )
        );
    }
}
