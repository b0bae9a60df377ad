//! Requests over the memory limit fail before allocating, with an error
//! that names the sizes (and no command-line flag); sample counts alone
//! need no memory. One test: it changes the process-wide limit.

use std::time::{Duration, Instant};

use powerseek::game::scarcity::{scarcity_sweep, ScarcityOptions};
use powerseek::mdp::gridworld;
use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::retarget::{self, LearnedRequest, OrbitRequest};
use powerseek::{Error, RewardDistribution};

#[test]
fn oversized_requests_fail_before_allocating() {
    powerseek::resources::set_memory_limit(Some(256 << 20));
    let started = Instant::now();
    let e = powerseek::mdp::cassandra::parse("states: 99999\nactions: 3\nT: * uniform\n", "dense.mdp")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("99 999 states") && e.contains("over the memory limit of 256.0 MiB"),
        "{e}"
    );
    assert!(!e.contains("--memory-limit"), "library errors name no flags: {e}");
    let e = powerseek::mdp::json::parse(r#"{"states": 2000000000, "transitions": {}}"#, "huge.json").unwrap_err();
    assert!(matches!(e, Error::MemoryLimit { .. }), "{e}");
    let e = gridworld::parse(&(".".repeat(4000) + "\n").repeat(4000), "big.grid").unwrap_err();
    assert!(e.to_string().contains("4 000 × 4 000 grid"), "{e}");
    let m = powerseek::conflict::ConflictModel {
        cost: 0.3,
        contest_exponent: 1.0,
        loser_share: 0.5,
        temperature: 0.0,
    };
    assert!(matches!(
        powerseek::conflict::phase_diagram(&m, 0.5, 1_000_000, 1_000_000),
        Err(Error::MemoryLimit { .. })
    ));
    let opts = ScarcityOptions {
        games: 100_000_000_000_000,
        ..Default::default()
    };
    assert!(matches!(
        scarcity_sweep(&opts, &powerseek::NoProgress),
        Err(Error::MemoryLimit { .. })
    ));
    let orbit = OrbitRequest {
        u: vec![1.0, 2.0, 3.0],
        a: vec![0],
        b: vec![1],
        parameters: 100_000_000,
        ..Default::default()
    };
    assert!(matches!(
        retarget::orbit(&orbit, None, &powerseek::NoProgress),
        Err(Error::MemoryLimit { .. })
    ));
    let m = gridworld::parse("S..\n.#.\n..T\n", "g").unwrap();
    let learned = LearnedRequest {
        a: "right".into(),
        b: "down".into(),
        agents: 1_000_000_000,
        ..Default::default()
    };
    assert!(matches!(
        retarget::learned(&m, &learned, &powerseek::NoProgress),
        Err(Error::MemoryLimit { .. })
    ));
    // A huge batch on a large grid: POWER's estimate, not the sample count, decides.
    let grid = gridworld::parse(&(".".repeat(300) + "\n").repeat(300), "g300").unwrap();
    let opts = PowerOptions {
        samples: SampleSize::Count(1 << 40),
        batch: Some(4096),
        ..Default::default()
    };
    let e = estimate_power(&grid, &RewardDistribution::uniform(), &opts, &powerseek::NoProgress).unwrap_err();
    assert!(e.to_string().contains("90 000 states"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Many samples alone need no memory: the estimate does not grow with them.
    let small = PowerOptions {
        samples: SampleSize::Count(1 << 40),
        ..Default::default()
    };
    let few = PowerOptions {
        samples: SampleSize::Count(1000),
        ..Default::default()
    };
    let memory = |o: &PowerOptions| powerseek::mdp::power::power_memory(&grid, o).unwrap();
    assert_eq!(memory(&small), memory(&few));
    assert!(memory(&small) < (1u64 << 30) as f64);
    powerseek::resources::set_memory_limit(None);
}
