//! A protocol's property table: the one place where each property's name and kind are written.
//! The engine reports violations under that name and judges `finish` by that kind, so a
//! property implementation carries neither and can serve under several names.

use sim_core::{Monitor, Process, Property, PropertyKind};

/// What `ftsim list` shows of a property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyInfo {
    /// The name scenario files and reports use.
    pub name: &'static str,
    /// When it is judged: always (safety), eventually (liveness) or sometimes (reachability).
    pub kind: PropertyKind,
    /// What it asserts, for `ftsim list`.
    pub help: &'static str,
}

type MakeProperty<P> = Box<dyn Fn() -> Box<dyn Property<P>> + Send + Sync>;

/// One row of a property table: its name, kind and help, and how to make a fresh instance for
/// a run.
pub struct PropertyDef<P: Process> {
    /// Its name, kind and help.
    pub info: PropertyInfo,
    make: MakeProperty<P>,
}

impl<P: Process> PropertyDef<P> {
    /// A fresh instance for one run, under this row's name and kind.
    pub fn monitor(&self) -> Monitor<P> {
        Monitor {
            name: self.info.name,
            kind: self.info.kind,
            property: (self.make)(),
        }
    }
}

/// A protocol's properties, one line each:
///
/// ```
/// # use ftsim_api::{Ctx, NodeId, Process, Properties};
/// # use ftsim_api::properties::consensus::{Agreement, Decision, Obliged, Termination};
/// # #[derive(Debug)] struct P;
/// # #[derive(Clone, Debug, Hash)] struct Decide(u64);
/// # impl Decision for Decide {
/// #     fn proposed(&self) -> Option<u64> { None }
/// #     fn decided(&self) -> Option<u64> { Some(self.0) }
/// # }
/// # impl Process for P {
/// #     type Msg = (); type Timer = (); type Obs = Decide; type Stable = ();
/// #     fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
/// #     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
/// # }
/// let table = Properties::<P>::new()
///     .always("agreement", "no two processes decide differently", Agreement::default)
///     .eventually("termination", "every correct process decides", || {
///         Termination::new(Obliged::Correct)
///     });
/// assert_eq!(table.infos()[1].name, "termination");
/// ```
pub struct Properties<P: Process> {
    defs: Vec<PropertyDef<P>>,
}

impl<P: Process + 'static> Default for Properties<P> {
    fn default() -> Self {
        Properties::new()
    }
}

impl<P: Process + 'static> Properties<P> {
    /// An empty table.
    pub fn new() -> Self {
        Properties { defs: Vec::new() }
    }

    /// A safety property, checked after every event; the first failure stops the run.
    pub fn always<Q: Property<P> + 'static>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.with(PropertyKind::Always, name, help, make)
    }

    /// A liveness property, judged by `finish` at the end of a run that was not cut short.
    pub fn eventually<Q: Property<P> + 'static>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.with(PropertyKind::Eventually, name, help, make)
    }

    /// A reachability property: `finish` returning `Ok` means the run reached it. A sweep in
    /// which it is never reached tested nothing, and fails.
    pub fn sometimes<Q: Property<P> + 'static>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.with(PropertyKind::Sometimes, name, help, make)
    }

    fn with<Q: Property<P> + 'static>(
        mut self,
        kind: PropertyKind,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.defs.push(PropertyDef {
            info: PropertyInfo { name, kind, help },
            make: Box::new(move || Box::new(make())),
        });
        self
    }
}

impl<P: Process> Properties<P> {
    /// Every row, in declaration order.
    pub fn defs(&self) -> &[PropertyDef<P>] {
        &self.defs
    }

    /// Every property's name, kind and help, in table order.
    pub fn infos(&self) -> Vec<PropertyInfo> {
        self.defs.iter().map(|d| d.info.clone()).collect()
    }

    /// The row named `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.defs.iter().position(|d| d.info.name == name)
    }
}
