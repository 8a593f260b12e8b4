//! How a metric hears a run: a [`Property`] that never fails, placed after the checked ones,
//! forwards each observation to the measure. The sweep keeps a handle to the same measure and
//! reads its figures when the run has ended, however it ended.

use std::cell::RefCell;
use std::rc::Rc;

use sim_core::{Falsified, Measured, Monitor, NodeId, Process, Property, PropertyKind, World};

use ftsim_api::Measure;

/// The measure and what it measured so far, shared by the monitor and the sweep (one thread:
/// a run never leaves the thread it started on).
struct State<P: Process> {
    measure: Box<dyn Measure<P>>,
    measured: Measured,
}

/// The sweep's handle on a run's measure.
pub(crate) struct Probe<P: Process> {
    state: Rc<RefCell<State<P>>>,
}

/// The monitor side: forwards observations, never reports a violation.
struct Listener<P: Process> {
    state: Rc<RefCell<State<P>>>,
}

impl<P: Process> Property<P> for Listener<P> {
    fn observe(
        &mut self,
        world: &World<'_, P>,
        node: NodeId,
        obs: &P::Obs,
    ) -> Result<(), Falsified> {
        let mut state = self.state.borrow_mut();
        let State { measure, measured } = &mut *state;
        measure.observe(world, node, obs, measured);
        Ok(())
    }
}

impl<P: Process + 'static> Probe<P> {
    /// A probe on `measure`, and the monitor to add to the run's properties. The monitor is an
    /// `always` property that never fails, so it changes neither the run nor its hash.
    pub(crate) fn new(measure: Box<dyn Measure<P>>) -> (Self, Monitor<P>) {
        let state = Rc::new(RefCell::new(State {
            measure,
            measured: Measured::default(),
        }));
        let monitor = Monitor {
            name: "(metric)",
            kind: PropertyKind::Always,
            property: Box::new(Listener {
                state: Rc::clone(&state),
            }),
        };
        (Probe { state }, monitor)
    }

    /// The figures of a run that ended at `end`.
    pub(crate) fn finish(self, end: sim_core::Time) -> Measured {
        let mut state = self.state.borrow_mut();
        let State { measure, measured } = &mut *state;
        measure.finish(end, measured);
        std::mem::take(measured)
    }
}
