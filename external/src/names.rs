//! Maelstrom's names for ftsim's node ids: the servers (the external nodes) are `n0`, `n1`, …
//! (ids `0..servers`), the workload's clients `c1`, `c2`, … (the ids after them), and the
//! services it offers the nodes (`lin-kv`, `seq-kv`: the last ids).

use ftsim_api::NodeId;

use crate::services::ServiceKind;

/// The group: how many servers and clients, and which services.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Names {
    servers: usize,
    clients: usize,
    services: &'static [ServiceKind],
}

impl Names {
    /// `servers` external nodes, then `clients` clients, then `services`.
    pub fn new(servers: usize, clients: usize, services: &'static [ServiceKind]) -> Names {
        Names {
            servers,
            clients,
            services,
        }
    }

    /// A group of `nodes` nodes of which the last are `clients` clients and `services`: the
    /// others are servers (none if there are too few nodes).
    pub fn of_group(nodes: usize, clients: usize, services: &'static [ServiceKind]) -> Names {
        let servers = nodes.saturating_sub(clients.saturating_add(services.len()));
        Names::new(servers, clients, services)
    }

    /// How many nodes the group has.
    pub fn nodes(&self) -> usize {
        self.servers + self.clients + self.services.len()
    }

    /// How many clients there are.
    pub fn clients(&self) -> usize {
        self.clients
    }

    /// The service `node` is, if it is one.
    pub fn service(&self, node: NodeId) -> Option<ServiceKind> {
        let first = self.servers + self.clients;
        node.checked_sub(first)
            .and_then(|i| self.services.get(i))
            .copied()
    }

    /// How many servers (external nodes) there are.
    pub fn servers(&self) -> usize {
        self.servers
    }

    /// Whether `node` is a server.
    pub fn is_server(&self, node: NodeId) -> bool {
        node < self.servers
    }

    /// The servers' names, in id order (`init`'s `node_ids`).
    pub fn server_names(&self) -> Vec<String> {
        (0..self.servers).map(|n| self.name(n)).collect()
    }

    /// `n3`, `c1` or `seq-kv`.
    pub fn name(&self, node: NodeId) -> String {
        if node < self.servers {
            format!("n{node}")
        } else if let Some(service) = self.service(node) {
            service.name().to_string()
        } else {
            format!("c{}", node - self.servers + 1)
        }
    }

    /// The id of the node called `name`, if it is one of the group.
    pub fn id(&self, name: &str) -> Option<NodeId> {
        let number = |digits: &str| {
            let ok = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            ok.then(|| digits.parse::<usize>().ok()).flatten()
        };
        if let Some(i) = self.services.iter().position(|s| s.name() == name) {
            return Some(self.servers + self.clients + i);
        }
        if let Some(digits) = name.strip_prefix('n') {
            return number(digits).filter(|&n| n < self.servers);
        }
        let client = number(name.strip_prefix('c')?)?.checked_sub(1)?;
        (client < self.clients).then_some(self.servers + client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip_and_strangers_are_refused() {
        let names = Names::of_group(6, 2, &[ServiceKind::SeqKv]);
        for id in 0..6 {
            assert_eq!(names.id(&names.name(id)), Some(id));
        }
        assert_eq!(names.name(3), "c1");
        assert_eq!(names.name(5), "seq-kv");
        assert_eq!(names.service(5), Some(ServiceKind::SeqKv));
        assert_eq!(names.service(4), None);
        let strangers = [
            "n3", "c0", "c3", "n01", "x1", "n", "c", "n-1", "ftsim", "lin-kv",
        ];
        for bad in strangers {
            assert_eq!(names.id(bad), None, "{bad}");
        }
    }
}
