//! The network model: per directed link, a delay distribution, loss and duplication (in parts
//! per million), FIFO or reordering; plus the sender's serialisation gap, which makes a crash in
//! the middle of a broadcast reach only some destinations.

use serde::{Deserialize, Serialize};

use crate::entropy::{chance, det_ln, unit_fraction, Choices, Draw, Stream};
use crate::message::MsgKey;
use crate::time::Duration;
use crate::NodeId;

/// How long a message spends in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DelayDist {
    /// Always the same delay.
    Constant(Duration),
    /// Uniform between `min` and `max`, inclusive.
    Uniform {
        /// The shortest delay.
        min: Duration,
        /// The longest delay.
        max: Duration,
    },
    /// At least `min`, plus an exponentially distributed extra with mean `mean` (a long tail:
    /// an asynchronous network with no upper bound on delay), capped at `min + 50 * mean`.
    Exponential {
        /// The shortest delay.
        min: Duration,
        /// The mean delay (at least `min`).
        mean: Duration,
    },
}

impl Default for DelayDist {
    fn default() -> Self {
        DelayDist::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(5),
        }
    }
}

impl DelayDist {
    /// Draws the delay of message `msg` (of its duplicate copy if `copy`). Constant delays
    /// draw nothing.
    #[inline]
    pub fn sample<C: Choices + ?Sized>(
        &self,
        choices: &mut C,
        msg: MsgKey,
        copy: bool,
    ) -> Duration {
        match *self {
            DelayDist::Constant(d) => d,
            DelayDist::Uniform { min, max } => {
                let span = max.0.saturating_sub(min.0);
                let draw = Draw::Delay { msg, copy };
                let extra = choices.choose(Stream::Network, draw, span.saturating_add(1));
                Duration(min.0.saturating_add(extra))
            }
            DelayDist::Exponential { min, mean } => {
                let u = unit_fraction(choices, Stream::Network, Draw::DelayTail { msg, copy });
                let extra = (-det_ln(u) * mean.0 as f64).min(50.0 * mean.0 as f64);
                Duration(min.0.saturating_add(extra as u64))
            }
        }
    }
}

/// The behaviour of one directed link. The default: 1-5ms uniform delay, no loss, no
/// duplication, reordering allowed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkModel {
    /// How long a message takes.
    pub delay: DelayDist,
    /// Probability that a message is lost, in parts per million.
    pub loss_ppm: u32,
    /// Probability that a message is delivered twice, in parts per million.
    pub duplicate_ppm: u32,
    /// Messages on this link are delivered in the order they were sent.
    pub fifo: bool,
}

/// An override of the default link model for one directed link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkOverride {
    /// The sender.
    pub from: NodeId,
    /// The receiver.
    pub to: NodeId,
    /// The model of the link from `from` to `to`.
    pub model: LinkModel,
}

/// The whole network: a default link model, per-link overrides and the sender's serialisation
/// gap (the time to put one message on the wire). Each node has one outgoing wire: a message
/// leaves `send_gap` after the one before it, whichever handler sent that one, and a crash
/// loses every message still waiting to leave.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkModel {
    /// The model of every link without an override.
    pub default: LinkModel,
    /// Links with a model of their own.
    pub links: Vec<LinkOverride>,
    /// The time to put one message on a sender's wire: messages of one sender leave one after
    /// another, so a crash can cut a broadcast.
    pub send_gap: Duration,
    /// Loss and duplication stop when the fault phase ends, like partitions and omissions,
    /// so liveness is judged on a healed network (by default they go on).
    #[serde(default)]
    pub heals: bool,
}

impl NetworkModel {
    /// A flat n×n table of link models, so the hot loop indexes instead of searching.
    pub fn resolve(&self, n: usize) -> Vec<LinkModel> {
        let mut table = vec![self.default; n * n];
        for o in &self.links {
            if o.from < n && o.to < n {
                table[o.from * n + o.to] = o.model;
            }
        }
        table
    }
}

/// What the network decided about one message at send time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transit {
    /// The link lost the message.
    pub lost: bool,
    /// Its delay, if not lost.
    pub delay: Duration,
    /// The extra delay of a duplicate copy, if the message is duplicated.
    pub duplicate: Option<Duration>,
}

impl LinkModel {
    /// Decides the fate of message `msg`. The order of draws is fixed: loss, delay, duplication.
    #[inline]
    pub fn transit<C: Choices + ?Sized>(&self, msg: MsgKey, choices: &mut C) -> Transit {
        let loss = Draw::Loss {
            msg,
            ppm: self.loss_ppm,
        };
        let lost = chance(choices, Stream::Network, loss);
        if lost {
            return Transit {
                lost,
                delay: Duration::ZERO,
                duplicate: None,
            };
        }
        let delay = self.delay.sample(choices, msg, false);
        let duplicate = Draw::Duplicate {
            msg,
            ppm: self.duplicate_ppm,
        };
        let duplicate = chance(choices, Stream::Network, duplicate)
            .then(|| self.delay.sample(choices, msg, true));
        Transit {
            lost,
            delay,
            duplicate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::Seeded;

    const KEY: MsgKey = MsgKey {
        from: 0,
        to: 1,
        seq: 0,
    };

    #[test]
    fn uniform_delays_stay_in_bounds() {
        let d = DelayDist::Uniform {
            min: Duration(10),
            max: Duration(20),
        };
        let mut s = Seeded::new(5);
        let samples: Vec<u64> = (0..2000).map(|_| d.sample(&mut s, KEY, false).0).collect();
        assert!(samples.iter().all(|&x| (10..=20).contains(&x)));
        assert!(samples.contains(&10) && samples.contains(&20));
    }

    #[test]
    fn exponential_has_its_mean() {
        let d = DelayDist::Exponential {
            min: Duration(1000),
            mean: Duration(10_000),
        };
        let mut s = Seeded::new(5);
        let n = 20_000u64;
        let total: u64 = (0..n).map(|_| d.sample(&mut s, KEY, false).0).sum();
        let mean = total / n;
        assert!((10_000..12_000).contains(&mean), "mean {mean}");
    }

    #[test]
    fn overrides_apply_to_their_link_only() {
        let mut net = NetworkModel::default();
        let lossy = LinkModel {
            loss_ppm: 1_000_000,
            ..LinkModel::default()
        };
        net.links.push(LinkOverride {
            from: 0,
            to: 1,
            model: lossy,
        });
        let t = net.resolve(3);
        assert_eq!(t[1], lossy);
        assert_eq!(t[3], LinkModel::default());
    }
}
