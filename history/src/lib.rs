//! History files and the sequential models they are checked against.
//!
//! A history file records what the clients of a system did: each operation's invocation and
//! completion, one record each, as Jepsen writes them. This crate reads such files
//! ([`read()`], in Jepsen's EDN, ftsim's JSON lines or a plain text format; [`sniff`] tells
//! which), builds the records into a [`History`](ftsim_api::properties::linearizability::History)
//! ([`build()`], after Jepsen's and Knossos's conventions: `:fail` did not happen, `:info` may
//! or may not have), and gives the sequential objects to judge it against ([`FileModel`]: a
//! register, a cas register, a key-value map, a set, a queue, a counter, a mutex), which
//! `ftsim_api`'s linearizability checker takes.
//!
//! ```
//! use ftsim_api::properties::linearizability::{check, Verdict};
//! use ftsim_history::{build, read, FileModel, Format, ModelKind};
//!
//! let text = "0 invoke write 1\n0 ok write 1\n1 invoke read\n1 ok read 2\n";
//! let records = read(text, Format::Text).unwrap();
//! let built = build(&records, &FileModel::new(ModelKind::Register)).unwrap();
//! assert!(matches!(check(&FileModel::new(ModelKind::Register), &built.history),
//!     Verdict::NotLinearizable(_)));
//! ```

#![warn(missing_docs)]

pub mod build;
pub mod model;
pub mod read;
pub mod record;
pub mod value;

#[cfg(test)]
mod tests;

pub use build::{build, FileHistory, OpSource};
pub use model::{FileModel, FileOp, Fun, ModelKind};
pub use read::{read, read_value, sniff, Format, ReadError};
pub use record::{OpType, Record};
pub use value::Value;
