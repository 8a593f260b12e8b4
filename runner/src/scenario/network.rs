//! The `[network]` section: the default link model, per-link overrides and the sender's wire.

use sim_core::network::LinkOverride;
use sim_core::{Duration, LinkModel, NetworkModel};

use super::error::{ScenarioError, Source};
use super::raw::RawNetwork;
use super::values::{delay_of, probability};

/// The link settings a table may give; what it leaves out comes from `base`.
struct LinkKeys<'a> {
    delay: &'a Option<toml::Value>,
    loss: Option<f64>,
    duplicate: Option<f64>,
    fifo: Option<bool>,
}

fn link_of(
    c: &Source,
    prefix: &str,
    base: LinkModel,
    keys: LinkKeys<'_>,
) -> Result<LinkModel, ScenarioError> {
    Ok(LinkModel {
        delay: match keys.delay {
            Some(v) => delay_of(c, &format!("{prefix}delay"), v)?,
            None => base.delay,
        },
        loss_ppm: match keys.loss {
            Some(p) => probability(c, &format!("{prefix}loss"), p)?,
            None => base.loss_ppm,
        },
        duplicate_ppm: match keys.duplicate {
            Some(p) => probability(c, &format!("{prefix}duplicate"), p)?,
            None => base.duplicate_ppm,
        },
        fifo: keys.fifo.unwrap_or(base.fifo),
    })
}

pub(crate) fn network_of(
    c: &Source,
    raw: &RawNetwork,
    n: usize,
) -> Result<NetworkModel, ScenarioError> {
    let default = link_of(
        c,
        "network.",
        LinkModel::default(),
        LinkKeys {
            delay: &raw.delay,
            loss: raw.loss,
            duplicate: raw.duplicate,
            fifo: raw.fifo,
        },
    )?;
    let mut links = Vec::new();
    for (i, l) in raw.link.iter().enumerate() {
        let prefix = format!("network.link[{i}].");
        for (field, node) in [("from", l.from), ("to", l.to)] {
            if node >= n {
                return Err(c.err(
                    format!("{prefix}{field}"),
                    format!(
                        "node {node} does not exist: expected a node id from 0 to {}",
                        n - 1
                    ),
                ));
            }
        }
        let keys = LinkKeys {
            delay: &l.delay,
            loss: l.loss,
            duplicate: l.duplicate,
            fifo: l.fifo,
        };
        links.push(LinkOverride {
            from: l.from,
            to: l.to,
            model: link_of(c, &prefix, default, keys)?,
        });
    }
    Ok(NetworkModel {
        default,
        links,
        send_gap: raw.send_gap.unwrap_or(Duration::ZERO),
        heals: raw.heals.unwrap_or(false),
    })
}
