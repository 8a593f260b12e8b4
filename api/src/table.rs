//! A protocol's property table: the one place where each property's name and kind are written.
//! The engine reports violations under that name and judges `finish` by that kind, so a
//! property implementation carries neither and can serve under several names.
//!
//! The table is also where a search's needs are settled, where the concrete type is known:
//! `always` and `eventually` take an [`Explorable`] property (a copy and a fingerprint of what
//! it remembers, required by the type), so `ftsim explore` can follow it; a property a search
//! cannot follow is declared as such (`always_in_runs`, `eventually_in_runs`), and `explore`
//! names it as not checked. Nothing is found out midway through a search.

use std::sync::Arc;

use sim_core::{Explorable, Monitor, Process, Property, PropertyKind, SearchMonitor};

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
/// Makes a fresh monitor of an explorable property for a search; shared, so a search holds
/// the table's maker rather than one around it.
pub type SearchFactory<P> = Arc<dyn Fn() -> Box<dyn SearchMonitor<P>> + Send + Sync>;

/// One row of a property table: its name, kind and help, and how to make a fresh instance for
/// a run (and, for a property a search can follow, for a search).
pub struct PropertyDef<P: Process> {
    /// Its name, kind and help.
    pub info: PropertyInfo,
    make: MakeProperty<P>,
    search: Option<SearchFactory<P>>,
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

    /// What makes a fresh instance for a search over states; `None` for a property declared
    /// for runs only.
    pub fn search_factory(&self) -> Option<SearchFactory<P>> {
        self.search.clone()
    }

    /// Whether a search can follow it (it was declared with an [`Explorable`] type).
    pub fn is_explorable(&self) -> bool {
        self.search.is_some()
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
///
/// A property a search cannot follow is refused by `always` and `eventually` when the protocol
/// is compiled, not found out during a search; it is declared with `always_in_runs` (or
/// `eventually_in_runs`) instead:
///
/// ```compile_fail
/// # use ftsim_api::{Ctx, NodeId, Process, Properties, Property};
/// # #[derive(Debug)] struct P;
/// # impl Process for P {
/// #     type Msg = (); type Timer = (); type Obs = (); type Stable = ();
/// #     fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
/// #     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
/// # }
/// /// Remembers something, but says neither how to copy it nor how to hash it.
/// struct Forgetful(u64);
/// impl Property<P> for Forgetful {}
/// let table = Properties::<P>::new().always("forgetful", "?", || Forgetful(0));
/// ```
///
/// ```
/// # use ftsim_api::{Ctx, NodeId, Process, Properties, Property};
/// # #[derive(Debug)] struct P;
/// # impl Process for P {
/// #     type Msg = (); type Timer = (); type Obs = (); type Stable = ();
/// #     fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
/// #     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
/// # }
/// # struct Forgetful(u64);
/// # impl Property<P> for Forgetful {}
/// let table = Properties::<P>::new().always_in_runs("forgetful", "?", || Forgetful(0));
/// assert!(!table.defs()[0].is_explorable());
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

    /// A safety property, checked after every event; the first failure stops the run. A
    /// search over states follows it too.
    pub fn always<Q: Explorable<P>>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.explorable(PropertyKind::Always, name, help, make)
    }

    /// A safety property that runs check but a search cannot follow (its type is not
    /// [`Explorable`]): `ftsim explore` names it as not checked.
    pub fn always_in_runs<Q: Property<P> + 'static>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.in_runs(PropertyKind::Always, name, help, make)
    }

    /// A liveness property, judged by `finish` at the end of a run that was not cut short. A
    /// search over states follows it too (its liveness search).
    pub fn eventually<Q: Explorable<P>>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.explorable(PropertyKind::Eventually, name, help, make)
    }

    /// A liveness property that runs judge but a search cannot follow (see
    /// [`always_in_runs`](Properties::always_in_runs)).
    pub fn eventually_in_runs<Q: Property<P> + 'static>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.in_runs(PropertyKind::Eventually, name, help, make)
    }

    /// A reachability property: `finish` returning `Ok` means the run reached it. A sweep in
    /// which it is never reached tested nothing, and fails. (A search does not follow it.)
    pub fn sometimes<Q: Property<P> + 'static>(
        self,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.in_runs(PropertyKind::Sometimes, name, help, make)
    }

    fn explorable<Q: Explorable<P>>(
        mut self,
        kind: PropertyKind,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        let make = Arc::new(make);
        let for_search = Arc::clone(&make);
        self.defs.push(PropertyDef {
            info: PropertyInfo { name, kind, help },
            make: Box::new(move || Box::new(make())),
            search: Some(Arc::new(move || Box::new(for_search()))),
        });
        self
    }

    fn in_runs<Q: Property<P> + 'static>(
        mut self,
        kind: PropertyKind,
        name: &'static str,
        help: &'static str,
        make: impl Fn() -> Q + Send + Sync + 'static,
    ) -> Self {
        self.defs.push(PropertyDef {
            info: PropertyInfo { name, kind, help },
            make: Box::new(move || Box::new(make())),
            search: None,
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
