//! Swarm testing (`run --swarm`): each seed draws its own fault mix within the scenario's
//! bounds before drawing its fault plan. A scenario that allows crashes, partitions and
//! omissions at once tends to test the three together; some bugs show only when one of them is
//! absent or rare (a partition heals before the crash that matters). So per seed each random
//! fault section is kept or left out (a crash spec left out crashes no node), a crash or
//! partition count's upper bound drawn between its `min` and `max`, a partition's shape drawn,
//! and omission rates scaled down.
//!
//! The mix is a pure function of (spec, seed), from a hash of the seed of its own (not the
//! fault-plan stream), so a seed's mix and plan replay (`replay --swarm`), and a mix is
//! printed with the failing seed that used it. Byzantine nodes and the explicit schedule are
//! kept as written: they say what the scenario is about.

use sim_core::entropy::DetHasher;
use sim_core::faults::{PartitionShape, StorageFaults};
use sim_core::FaultSpec;

/// A seed's source of swarm decisions, each a fresh hash of (seed, decision number).
struct Draws {
    seed: u64,
    next: u64,
}

impl Draws {
    fn below(&mut self, n: u64) -> u64 {
        let mut h = DetHasher::default();
        h.mix(0x5357_4152_4d00_0000); // "SWARM": apart from every other use of the seed
        h.mix(self.seed);
        h.mix(self.next);
        self.next += 1;
        std::hash::Hasher::finish(&h) % n.max(1)
    }

    fn keep(&mut self) -> bool {
        self.below(2) == 1
    }

    /// An upper bound between `min` and `max`.
    fn up_to(&mut self, min: u32, max: u32) -> u32 {
        min + self.below(u64::from(max.saturating_sub(min)) + 1) as u32
    }
}

/// The fault mix of `seed` within `spec`'s bounds.
pub fn mix(spec: &FaultSpec, seed: u64) -> FaultSpec {
    let mut d = Draws { seed, next: 0 };
    let mut out = spec.clone();
    for c in &mut out.crashes {
        if d.keep() {
            c.max = d.up_to(c.min, c.max);
        } else {
            (c.min, c.max) = (0, 0);
        }
    }
    out.partitions = spec.partitions.clone().filter(|_| d.keep()).map(|mut p| {
        p.max = d.up_to(p.min, p.max);
        p.shape = [
            PartitionShape::Random,
            PartitionShape::Isolate,
            PartitionShape::Minority,
            PartitionShape::OneWay,
        ][d.below(4) as usize];
        p
    });
    out.omissions = spec.omissions.clone().filter(|_| d.keep()).map(|mut o| {
        let quarters = d.below(4) as u32 + 1; // a quarter to all of the rate
        o.send_ppm = o.send_ppm / 4 * quarters;
        o.receive_ppm = o.receive_ppm / 4 * quarters;
        o
    });
    out.intermittent = spec.intermittent.clone().filter(|_| d.keep());
    out.clocks = spec.clocks.clone().filter(|_| d.keep());
    out.slow = spec.slow.clone().filter(|_| d.keep());
    if !d.keep() {
        out.storage = StorageFaults::None;
    }
    out
}

/// The mix in words, for the sections the scenario has: "crashes (up to 2), no partitions,
/// omissions (50% of the rates)".
pub fn describe(spec: &FaultSpec, mixed: &FaultSpec) -> String {
    let mut parts = Vec::new();
    for kept in &mixed.crashes {
        parts.push(match kept.max {
            0 => "no crashes".to_string(),
            max => format!("crashes (up to {max})"),
        });
    }
    if spec.partitions.is_some() {
        parts.push(match &mixed.partitions {
            Some(k) => format!("partitions (up to {}, {:?})", k.max, k.shape).to_lowercase(),
            None => "no partitions".to_string(),
        });
    }
    if let Some(o) = &spec.omissions {
        parts.push(match &mixed.omissions {
            Some(k) if o.send_ppm.max(o.receive_ppm) > 0 => format!(
                "omissions ({}% of the rates)",
                u64::from(k.send_ppm.max(k.receive_ppm)) * 100
                    / u64::from(o.send_ppm.max(o.receive_ppm))
            ),
            Some(_) => "omissions".to_string(),
            None => "no omissions".to_string(),
        });
    }
    let sections = [
        (
            spec.intermittent.is_some(),
            mixed.intermittent.is_some(),
            "intermittent node",
        ),
        (spec.clocks.is_some(), mixed.clocks.is_some(), "clock skew"),
        (spec.slow.is_some(), mixed.slow.is_some(), "slow nodes"),
        (
            spec.storage != StorageFaults::None,
            mixed.storage != StorageFaults::None,
            "storage faults",
        ),
    ];
    for (has, kept, name) in sections {
        if has {
            parts.push(if kept {
                name.to_string()
            } else {
                format!("no {name}")
            });
        }
    }
    if parts.is_empty() {
        return "the scenario has no random faults to mix".to_string();
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::faults::{CrashSpec, OmissionSpec, PartitionSpec};

    fn spec() -> FaultSpec {
        FaultSpec {
            crashes: vec![CrashSpec {
                min: 1,
                max: 3,
                ..CrashSpec::default()
            }],
            partitions: Some(PartitionSpec {
                min: 0,
                max: 2,
                ..PartitionSpec::default()
            }),
            omissions: Some(OmissionSpec {
                max: 1,
                send_ppm: 400_000,
                ..OmissionSpec::default()
            }),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn a_seed_draws_its_own_mix_within_the_bounds_and_again_the_same() {
        let spec = spec();
        let mixes: Vec<FaultSpec> = (0..64).map(|seed| mix(&spec, seed)).collect();
        for (seed, m) in mixes.iter().enumerate() {
            assert_eq!(*m, mix(&spec, seed as u64), "a pure function of the seed");
            let c = &m.crashes[0];
            assert!(c.max == 0 || (1..=3).contains(&c.max), "{c:?}");
            if let Some(p) = &m.partitions {
                assert!(p.max <= 2);
            }
            if let Some(o) = &m.omissions {
                assert!(o.send_ppm <= 400_000 && o.send_ppm >= 100_000);
            }
        }
        let crashes_off = mixes.iter().filter(|m| m.crashes[0].max == 0).count();
        let partitions_off = mixes.iter().filter(|m| m.partitions.is_none()).count();
        assert!((10..=54).contains(&crashes_off), "{crashes_off} of 64");
        assert!(
            (10..=54).contains(&partitions_off),
            "{partitions_off} of 64"
        );
        let text = describe(&spec, &mixes[0]);
        assert!(
            text.contains("crashes") && text.contains("partitions"),
            "{text}"
        );
        assert!(text.contains("omissions"), "{text}");
    }
}
