//! The scenarios a command works on: files and directories loaded and validated, the one
//! scenario of a file a command names (a point of its grid, a variant `classify` derived from
//! it), and the seeds to run of each.

pub mod load;
pub mod seeds;
pub mod variant;
