//! A violation's counterexample: its path replayed from the initial state and described step
//! by step, and timed as an ordinary run (for a model bounding delays, at a schedule within
//! the bound where the fault phase has one, see `bounded`); and, before a search reports a
//! violation, whether it can happen within that bound at all ([`realizable`]).

use sim_core::Process;

use crate::bounded::schedule;
use crate::describe;
use crate::draws::Taken;
use crate::model::{DelayBound, Model};
use crate::report::{Counterexample, Report, PANIC};
use crate::stepper::Broken;
use crate::timed::{self, Timed};

/// Replays `path` from the initial state, describing each step; the last one breaks
/// `broken`'s property (the replay's own verdict is the one reported: same path, same
/// monitors, same message).
pub(crate) fn counterexample<P>(model: &Model<P>, path: &[Taken], broken: Broken) -> Counterexample
where
    P: Process + Clone,
{
    let (steps, verdict) = describe::path(model, path);
    let broken = verdict.err().map_or(broken, |replayed| *replayed);
    let run = match &model.bound {
        Some(bound) => timed_within(model, path, bound),
        None => timed::timed(model, path, model.config.duration),
    };
    Counterexample {
        property: broken
            .monitor
            .map_or(PANIC, |i| model.monitors[i].name)
            .to_string(),
        message: broken.message,
        steps,
        run: Box::new(run),
        loop_start: None,
        liveness: false,
        panicked: broken.monitor.is_none(),
    }
}

/// The path of a counterexample as a run (see `timed`), for a model bounding delays: its steps
/// at times within the bound if there are such times in the fault phase; else (a path set
/// aside, or too long for the fault phase) evenly spaced, and marked as not within the bound.
fn timed_within<P>(model: &Model<P>, path: &[Taken], bound: &DelayBound) -> Timed
where
    P: Process + Clone,
{
    let duration_ns = model.config.duration.0;
    let fits = |times: &Vec<u64>| times.last().is_some_and(|&last| last < duration_ns);
    match schedule(model, path, bound.delay_max_ns).filter(fits) {
        Some(times) => timed::timed_at(model, path, times[1..].to_vec()),
        None => {
            let mut timed = timed::timed(model, path, model.config.duration);
            timed.within_bound = Some(false);
            timed
        }
    }
}

/// Whether the violation `broken` at the end of `path` can happen within the model's bound
/// on delays (always, for a model without one): if so its schedule is noted in the report,
/// if not the path is counted as set aside (the first one kept).
pub(crate) fn realizable<P>(
    model: &Model<P>,
    report: &mut Report,
    path: &[Taken],
    broken: &Broken,
) -> bool
where
    P: Process + Clone,
{
    let (Some(bound), Some(timing)) = (&model.bound, report.timing.as_mut()) else {
        return true;
    };
    if let Some(times) = schedule(model, path, bound.delay_max_ns) {
        timing.schedule_ns = Some(times);
        return true;
    }
    timing.set_aside += 1;
    if timing.first_set_aside.is_none() {
        let cx = counterexample(model, path, broken.clone());
        timing.first_set_aside = Some(cx);
    }
    false
}
