//! A protocol's Byzantine adversaries: named strategies that drive a traitor node's messages.
//! The first one listed is the default. Like properties, each is named once, here.

use sim_core::{Adversary, NodeId};

use super::Protocol;

/// What `ftsim list` shows of an adversary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdversaryInfo {
    /// The name scenario files use (`adversary = "equivocate"`).
    pub name: &'static str,
    /// What it does, for `ftsim list`.
    pub help: &'static str,
}

type MakeAdversary<T> = Box<
    dyn Fn(&<T as Protocol>::Params, NodeId) -> Box<dyn Adversary<<T as Protocol>::Process>>
        + Send
        + Sync,
>;

/// One adversary: its name and help, and how to build it for a traitor node.
pub struct AdversaryDef<T: Protocol> {
    /// Its name and help.
    pub info: AdversaryInfo,
    make: MakeAdversary<T>,
}

impl<T: Protocol> AdversaryDef<T> {
    /// This adversary for traitor `node` of a run with `params`.
    pub fn build(&self, params: &T::Params, node: NodeId) -> Box<dyn Adversary<T::Process>> {
        (self.make)(params, node)
    }
}

/// A protocol's adversaries, one line each; empty for a protocol that does not model
/// Byzantine faults (a scenario with Byzantine nodes is then rejected).
pub struct Adversaries<T: Protocol> {
    defs: Vec<AdversaryDef<T>>,
}

impl<T: Protocol> Default for Adversaries<T> {
    fn default() -> Self {
        Adversaries::new()
    }
}

impl<T: Protocol> Adversaries<T> {
    /// An empty table (a protocol without Byzantine adversaries).
    pub fn new() -> Self {
        Adversaries { defs: Vec::new() }
    }

    /// Adds an adversary built from the run's parameters for each traitor node.
    pub fn add<A: Adversary<T::Process> + 'static>(
        mut self,
        name: &'static str,
        help: &'static str,
        make: impl Fn(&T::Params, NodeId) -> A + Send + Sync + 'static,
    ) -> Self {
        self.defs.push(AdversaryDef {
            info: AdversaryInfo { name, help },
            make: Box::new(move |params, node| Box::new(make(params, node))),
        });
        self
    }

    /// Every row, in declaration order.
    pub fn defs(&self) -> &[AdversaryDef<T>] {
        &self.defs
    }

    /// Every adversary's name and help, in declaration order.
    pub fn infos(&self) -> Vec<AdversaryInfo> {
        self.defs.iter().map(|d| d.info.clone()).collect()
    }

    /// The row named `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.defs.iter().position(|d| d.info.name == name)
    }
}
