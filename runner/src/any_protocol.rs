//! A protocol with its type erased: what the CLI, scenarios and the harness hold. Every
//! [`Protocol`] is an [`AnyProtocol`]; preparing one validates plain parameter values against
//! the declaration and resolves every default, into a [`Simulation`] that runs any seed.

use std::sync::Arc;

use ftsim_api::{ParamValues, Params, Protocol, ProtocolInfo, RunSpec, SpecError};

use crate::simulation::Simulation;

/// A protocol with its type erased, as the CLI, scenarios and the harness see it. Every
/// [`Protocol`] is one; nobody implements this by hand.
pub trait AnyProtocol: Send + Sync {
    /// The protocol's description: name, parameters, properties, adversaries, detector.
    fn info(&self) -> ProtocolInfo;

    /// Validates plain parameter values and a run spec against this protocol, resolving every
    /// default, into a [`Simulation`] that can run any seed. Errors name the scenario key.
    fn prepare(
        &'static self,
        params: &ParamValues,
        spec: RunSpec,
    ) -> Result<Arc<dyn Simulation>, SpecError>;
}

impl<T: Protocol> AnyProtocol for T {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo::of(self)
    }

    fn prepare(
        &'static self,
        params: &ParamValues,
        spec: RunSpec,
    ) -> Result<Arc<dyn Simulation>, SpecError> {
        let key = |e: ftsim_api::params::ParamError| {
            SpecError::new(format!("params.{}", e.name), e.message)
        };
        ftsim_api::params::validate(&T::Params::schema(), params).map_err(key)?;
        let typed = T::Params::from_values(params).map_err(key)?;
        let prepared: Arc<dyn Simulation> = crate::simulation::prepare_typed(self, typed, spec)?;
        Ok(prepared)
    }
}
