use ftsim_api::sim_core::faults::ClockSpec;
use ftsim_api::{DelayDist, Duration, FaultSpec};
use ftsim_runner::{Harness, Simulation};

use super::*;

/// Four clients; delays up to 4ms (within half of a 40% margin of 20ms); clocks up to 10ms
/// off and drifting by up to `drift` (in parts per million) either way.
fn leases(expiry: Expiry, drift: i32) -> Harness<LeaseLock> {
    Harness::new(&LeaseLock)
        .params(LeaseParams {
            expiry,
            ..LeaseParams::default()
        })
        .nodes(5)
        .delay(DelayDist::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(4),
        })
        .faults(FaultSpec {
            clocks: Some(ClockSpec {
                nodes: None,
                count: None,
                offset_ns: [-10_000_000, 10_000_000],
                drift_ppm: [-drift, drift],
            }),
            ..FaultSpec::default()
        })
        .duration(Duration::from_millis(200))
        .seeds(0..300)
}

#[test]
fn local_leases_hold_under_clock_offsets_and_small_drift() {
    let h = leases(Expiry::LocalDuration, 50_000);
    assert!(
        h.simulation().may_step_outside().is_empty(),
        "{:?}",
        h.simulation().may_step_outside()
    );
    h.check();
}

#[test]
fn server_timestamps_are_caught_with_two_holders() {
    leases(Expiry::ServerTimestamp, 50_000).expect_violation("mutual-exclusion");
}

#[test]
fn drift_beyond_the_margin_is_outside_the_model() {
    leases(Expiry::LocalDuration, 300_000).expect_outside("mutual-exclusion");
}

#[test]
fn bundled_scenarios_meet_their_expectations() {
    for file in [
        "lease-local-duration-skew",
        "lease-server-timestamp-skew",
        "lease-drift-beyond-margin",
    ] {
        ftsim_runner::check_scenario(format!("../scenarios/{file}.toml"), crate::all());
    }
}
