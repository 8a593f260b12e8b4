//! Renders runs and sweeps for people and machines: the terminal timeline of a traced run, its
//! HTML space-time diagram and ShiViz log, and the summary of a sweep (a table, an HTML index
//! and the JSON the CLI prints). Reports read sim-core's protocol-independent results only;
//! they know no protocol.

pub mod html;
pub mod shiviz;
pub mod sweep;
pub mod timeline;
