//! What the debugger's server answers: the page and its two files, and three questions about
//! a path (`/api/position`, `/api/onward`, `/api/repro`), each a function of the request
//! alone: the server keeps nothing between requests that the address does not carry.

use ftsim_runner::explore::{Explorer, Move, Onward, PathError, Until};
use ftsim_runner::Scenario;
use serde_json::json;

use super::http::{Request, Response};
use super::{json, path};
use crate::cli::explore::{repro_of, AsRun};

/// The page, its script and its style, built into the binary: the page loads nothing else.
const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/debug.js");
const STYLE: &str = include_str!("page/debug.css");

/// The most steps a random run adds, and the most runs a search for a violation makes.
const ONWARD_STEPS_MAX: u32 = 100_000;
const ONWARD_RUNS_MAX: u64 = 100_000;

/// A scenario's search, driven by hand.
pub struct Debugger {
    pub scenario: Scenario,
    pub explorer: Box<dyn Explorer>,
}

impl Debugger {
    /// The answer to `request`.
    pub fn answer(&self, request: &Request) -> Response {
        let answered = match request.path.as_str() {
            "/" | "/index.html" => Ok(Response::new(200, "text/html; charset=utf-8", PAGE)),
            "/debug.js" => Ok(Response::new(200, "text/javascript; charset=utf-8", SCRIPT)),
            "/debug.css" => Ok(Response::new(200, "text/css; charset=utf-8", STYLE)),
            "/api/position" => self.position(request),
            "/api/onward" => self.onward(request),
            "/api/repro" => self.repro(request),
            other => Err(Response::error(404, &format!("nothing is at {other}"))),
        };
        answered.unwrap_or_else(|refusal| refusal)
    }

    /// Where the request's path leads.
    fn position(&self, request: &Request) -> Result<Response, Response> {
        let moves = path_of(request)?;
        let position = self.explorer.position(&moves).map_err(not_followed)?;
        let text = path::format(&moves);
        Ok(Response::json(
            200,
            &json::position(&self.scenario, &text, &position),
        ))
    }

    /// The request's path extended by seeded random runs.
    fn onward(&self, request: &Request) -> Result<Response, Response> {
        let moves = path_of(request)?;
        let seed = number(request, "seed", 1, u64::MAX)?;
        let steps_max = number(request, "steps", 1000, u64::from(ONWARD_STEPS_MAX))? as u32;
        let until = match request.param("until").unwrap_or("end") {
            "end" => Until::End,
            "broken" => Until::Broken {
                runs: number(request, "runs", 1000, ONWARD_RUNS_MAX)?,
            },
            other => {
                return Err(Response::error(
                    400,
                    &format!("until is {other:?}: expected \"end\" or \"broken\""),
                ))
            }
        };
        let onward = Onward {
            seed,
            steps_max,
            until,
        };
        let walked = (self.explorer.onward(&moves, &onward)).map_err(not_followed)?;
        Ok(Response::json(
            200,
            &json!({
                "path": path::format(&walked.path),
                "broke": walked.broke,
                "runs": walked.runs,
            }),
        ))
    }

    /// The request's path as a repro file, if it breaks a property.
    fn repro(&self, request: &Request) -> Result<Response, Response> {
        let moves = path_of(request)?;
        let position = self.explorer.position(&moves).map_err(not_followed)?;
        let Some(cx) = position.broken else {
            return Err(Response::error(
                409,
                "this path breaks no property: a repro file holds a failing run (share a \
                 passing path by its link)",
            ));
        };
        let as_run = AsRun::of(&self.scenario, &cx);
        let mut warnings = Vec::new();
        let Some((repro, _)) = repro_of(&self.scenario, &cx, as_run, &mut |w| warnings.push(w))
        else {
            return Err(Response::error(409, &warnings.join("; ")));
        };
        let stem = reports::html::file_stem(&self.scenario.name);
        let mut response = Response::new(200, "application/json", repro.to_json());
        response.headers.push((
            "Content-Disposition",
            format!("attachment; filename=\"{stem}-debug.repro.json\""),
        ));
        Ok(response)
    }
}

/// The request's `path`, or the answer saying why it is not one.
fn path_of(request: &Request) -> Result<Vec<Move>, Response> {
    path::parse(request.param("path").unwrap_or("")).map_err(|why| Response::error(400, &why))
}

/// Query parameter `key` as a number up to `max` (`default` if not given).
fn number(request: &Request, key: &str, default: u64, max: u64) -> Result<u64, Response> {
    let Some(text) = request.param(key) else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(Response::error(
            400,
            &format!("{key} is {text:?}: expected a whole number up to {max}"),
        )),
    }
}

/// A path that cannot be followed, as the page shows it: why, and how many of its steps can.
fn not_followed(e: PathError) -> Response {
    let followed = match e {
        PathError::NotEnabled { step, .. } | PathError::NoSuchBranch { step, .. } => step - 1,
        PathError::AfterViolation { step } => step,
        PathError::TooLong { .. } => 0,
    };
    Response::json(
        422,
        &json!({ "error": e.to_string(), "followed": followed }),
    )
}
