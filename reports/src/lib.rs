//! Renders runs and sweeps for people: the terminal timeline of a traced run, its HTML space-time
//! diagram and ShiViz log, where two runs' traces part, and a sweep's summaries as a terminal table
//! and an HTML index. Reports read protocol-independent results only (sim-core's run reports,
//! ftsim-api's sweep summaries); they know no protocol.

pub mod columns;
pub mod diff;
pub mod html;
pub mod junit;
pub mod shiviz;
pub mod shrink;
pub mod table;
pub mod timeline;
