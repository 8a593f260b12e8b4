//! The fingerprint a search knows a state by: with symmetry reduction, the least over the
//! renamings of the protocol's interchangeable nodes (see `symmetry`); else the state's own,
//! which keeps the sending order of a node's messages only while the node may still crash.

use std::hash::Hash;

use sim_core::Process;

use crate::limits::Limits;
use crate::model::Model;
use crate::state::State;

/// The state's fingerprint, canonical over renamings if asked (and declared).
pub(crate) fn fingerprint<P>(model: &Model<P>, limits: &Limits, s: &mut State<P>) -> u64
where
    P: Process + Hash,
    P::Stable: Hash,
{
    match &model.symmetry {
        Some(sym) if limits.symmetry => {
            (sym.canonical)(s, &sym.class, &|f, t| model.config.link(f, t).fifo)
        }
        _ => {
            s.cache_node_hashes();
            s.fingerprint(&model.config.may_crash, model.config.crash_budget)
        }
    }
}
