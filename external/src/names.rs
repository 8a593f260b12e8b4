//! Maelstrom's names for ftsim's node ids: the servers (the external nodes) are `n0`, `n1`, …
//! (ids `0..servers`), the workload's clients `c1`, `c2`, … (the ids after them).

use ftsim_api::NodeId;

/// The group: how many servers, how many nodes in all.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Names {
    servers: usize,
    nodes: usize,
}

impl Names {
    /// `servers` external nodes followed by clients, `nodes` in all.
    pub fn new(servers: usize, nodes: usize) -> Names {
        Names { servers, nodes }
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

    /// `n3` or `c1`.
    pub fn name(&self, node: NodeId) -> String {
        if node < self.servers {
            format!("n{node}")
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
        let id = if let Some(digits) = name.strip_prefix('n') {
            number(digits).filter(|&n| n < self.servers)?
        } else {
            let client = number(name.strip_prefix('c')?)?;
            self.servers + client.checked_sub(1)?
        };
        (id < self.nodes).then_some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip_and_strangers_are_refused() {
        let names = Names::new(3, 5);
        for id in 0..5 {
            assert_eq!(names.id(&names.name(id)), Some(id));
        }
        assert_eq!(names.name(3), "c1");
        for bad in ["n3", "c0", "c3", "n01", "x1", "n", "c", "n-1", "ftsim"] {
            assert_eq!(names.id(bad), None, "{bad}");
        }
    }
}
