//! Why a scenario's protocol settings are unusable, naming the scenario key at fault: what a
//! protocol's checks, its parameters and the runner's preparation return.

/// Why a scenario's protocol settings are unusable. `key` is the scenario key at fault,
/// relative to the scenario root (`params.rounds`, `nodes`, `invariants[1]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct SpecError {
    /// The scenario key at fault.
    pub key: String,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl SpecError {
    /// An error at `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError {
            key: key.into(),
            message: message.into(),
        }
    }
}
