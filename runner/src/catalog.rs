//! The set of protocols a scenario may name: the bundled ones, plus any a user's binary adds.
//! Building it checks every declaration and that no two protocols share a name, so a mistake
//! in a protocol is reported before anything runs.

use crate::any_protocol::AnyProtocol;
use ftsim_api::ProtocolInfo;

/// Protocols by name, in the order they were given.
pub struct Catalog {
    entries: Vec<(&'static dyn AnyProtocol, ProtocolInfo)>,
}

impl Catalog {
    /// A catalogue of these protocols; an error names a protocol whose declaration is wrong
    /// or whose name is taken.
    pub fn new(
        protocols: impl IntoIterator<Item = &'static dyn AnyProtocol>,
    ) -> Result<Catalog, String> {
        let mut entries: Vec<(&'static dyn AnyProtocol, ProtocolInfo)> = Vec::new();
        for p in protocols {
            let info = p.info();
            info.check()?;
            if entries.iter().any(|(_, i)| i.name == info.name) {
                return Err(format!(
                    "two protocols are named \"{}\": rename one of them",
                    info.name
                ));
            }
            entries.push((p, info));
        }
        Ok(Catalog { entries })
    }

    /// The protocol named `name`, with its description.
    pub fn find(&self, name: &str) -> Option<(&'static dyn AnyProtocol, &ProtocolInfo)> {
        self.entries
            .iter()
            .find(|(_, info)| info.name == name)
            .map(|(p, info)| (*p, info))
    }

    /// Every protocol's description, in catalogue order.
    pub fn infos(&self) -> impl Iterator<Item = &ProtocolInfo> {
        self.entries.iter().map(|(_, info)| info)
    }

    /// Every protocol's name, in catalogue order.
    pub fn names(&self) -> Vec<&'static str> {
        self.infos().map(|i| i.name).collect()
    }
}
