//! From a prepared scenario to a search: the runner's side of a protocol's consent
//! ([`Exploring`]). The protocol answers [`Protocol::exploration`] with one of the
//! [`Builder`]'s methods, whose bounds its process meets; the builder then describes the
//! search as the explorer's [`Model`]: the scenario's config, the process factory, the
//! checked properties a search can follow, the adversary, the symmetry and the bound the
//! protocol's model puts on delays.

use ftsim_api::{Exploring, NodeClass, Protocol, Renamable, Searchable, SpecError, Timing};
use ftsim_explore::{
    Adversary, AdversaryMaker, Config, DelayBound, Explorer, Model, MonitorDef, MonitorMaker,
    Symmetry,
};
use sim_core::{Process, PropertyKind};

use super::search_config::search_config;
use super::{Prepared, Simulation};

/// The runner's side of a protocol's consent: it builds the search of one prepared scenario.
pub(crate) struct Builder<'a, T: Protocol> {
    pub prepared: &'a Prepared<T>,
}

impl<T: Protocol> Exploring<T> for Builder<'_, T> {
    type Explorer = Result<Box<dyn Explorer>, SpecError>;

    fn searchable(self) -> Self::Explorer
    where
        T::Process: Searchable,
    {
        Ok(Box::new(model(self.prepared, None)?))
    }

    fn symmetric(self, class: NodeClass<T>) -> Self::Explorer
    where
        T::Process: Renamable,
    {
        let n = self.prepared.spec().nodes;
        let class = class(self.prepared.typed_params(), n);
        let symmetry = Symmetry::new(n, &class);
        Ok(Box::new(model(self.prepared, Some(symmetry))?))
    }
}

/// What a search of a prepared simulation follows, and how.
fn model<T: Protocol>(
    prepared: &Prepared<T>,
    symmetry: Option<Symmetry<T::Process>>,
) -> Result<Model<T::Process>, SpecError>
where
    T::Process: Searchable,
{
    let parts = prepared.explore_parts();
    let config = search_config(parts.spec, parts.detector)?;
    let (monitors, unchecked) = followable(parts.monitors, &[PropertyKind::Always]);
    let adversary = adversary_of(parts.adversary, &config)?;
    let bound = delay_bound(prepared.declared_model(config.n).timings());
    // Under a bound on delays, a loop of the asynchronous search may be one no timing
    // allows: `eventually` properties are left unchecked rather than judged outside the model.
    let liveness = match bound {
        None => liveness_model(prepared, &config)?,
        Some(_) => None,
    };
    let mut unchecked = unchecked;
    if let Some(live) = &liveness {
        let followed = |name: &&str| live.monitors.iter().any(|m| m.name == *name);
        unchecked.retain(|name| !followed(name));
    }
    Ok(Model {
        symmetry,
        bound,
        config,
        factory: parts.factory,
        monitors,
        unchecked,
        adversary,
        liveness,
    })
}

/// The bound a protocol's model declares on message delays, if it declares one.
fn delay_bound(timings: &[Timing]) -> Option<DelayBound> {
    timings.iter().find_map(|t| match t {
        Timing::DeliveredWithin { bound, rule } => Some(DelayBound {
            delay_max_ns: bound.0,
            rule: rule.clone(),
        }),
        _ => None,
    })
}

/// What drives the Byzantine nodes of a search (`Silent` if the scenario names no
/// adversary), refused if it cannot be copied for a search.
fn adversary_of<P: Process + 'static>(
    named: Option<(String, AdversaryMaker<P>)>,
    config: &Config,
) -> Result<Option<Adversary<P>>, SpecError> {
    if config.placements.is_empty() {
        return Ok(None);
    }
    let Some((name, make)) = named else {
        let make: AdversaryMaker<P> = Box::new(|_| Some(Box::new(sim_core::Silent)));
        return Ok(Some(Adversary {
            name: "silent".into(),
            make,
        }));
    };
    if make(0).is_none() {
        return Err(SpecError::new(
            "adversary",
            format!(
                "the adversary \"{name}\" cannot be explored: it gives no snapshot of itself \
                 (Adversary::snapshot), which a search needs to branch"
            ),
        ));
    }
    Ok(Some(Adversary { name, make }))
}

/// A checked property as a search receives it: its name, kind and, if its declaration made
/// it [`Explorable`](sim_core::Explorable), its maker.
pub(crate) struct Checked<P: Process> {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub make: Option<MonitorMaker<P>>,
}

/// The monitors of `kinds` a search can follow (declared explorable), and the names of the
/// checked ones it cannot (declared for runs only, or not of `kinds`' kinds).
fn followable<P: Process>(
    defs: Vec<Checked<P>>,
    kinds: &[PropertyKind],
) -> (Vec<MonitorDef<P>>, Vec<&'static str>) {
    let mut monitors = Vec::new();
    let mut unchecked = Vec::new();
    for def in defs {
        match def.make {
            Some(make) if kinds.contains(&def.kind) => monitors.push(MonitorDef {
                name: def.name,
                kind: def.kind,
                make,
            }),
            _ if def.kind != PropertyKind::Sometimes => unchecked.push(def.name),
            _ => {}
        }
    }
    (monitors, unchecked)
}

/// The model the liveness search follows: the safety monitors and the `eventually` ones a
/// search can follow (their memory is part of its states); `None` if there are none.
fn liveness_model<T: Protocol>(
    prepared: &Prepared<T>,
    config: &Config,
) -> Result<Option<Box<Model<T::Process>>>, SpecError>
where
    T::Process: Searchable,
{
    let parts = prepared.explore_parts();
    let adversary = adversary_of(parts.adversary, config)?;
    let kinds = [PropertyKind::Always, PropertyKind::Eventually];
    let (monitors, unchecked) = followable(parts.monitors, &kinds);
    if !monitors.iter().any(|m| m.kind == PropertyKind::Eventually) {
        return Ok(None);
    }
    Ok(Some(Box::new(Model {
        symmetry: None,
        bound: None,
        config: config.clone(),
        factory: parts.factory,
        monitors,
        unchecked,
        adversary,
        liveness: None,
    })))
}

/// What a search takes from a prepared simulation.
pub(crate) struct Parts<'a, P: Process> {
    pub spec: &'a ftsim_api::RunSpec,
    pub detector: sim_core::DetectorModel,
    pub factory: ftsim_explore::Factory<P>,
    /// The checked properties (not `sometimes`), in table order, each with its maker for a
    /// search (`None`: declared for runs only).
    pub monitors: Vec<Checked<P>>,
    /// The scenario's adversary (its name and a maker of snapshots), if it names one.
    pub adversary: Option<(String, AdversaryMaker<P>)>,
}
