//! Renders runs and sweeps for people and machines: the terminal timeline of a traced run and
//! the summary of a sweep (a table, and the JSON the CLI prints). Reports read sim-core's
//! protocol-independent results only; they know no protocol.

pub mod sweep;
pub mod timeline;
