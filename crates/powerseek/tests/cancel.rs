//! Every long library call stops with `Error::Cancelled` soon after its
//! `Progress` asks (within a second in release builds; debug builds get
//! longer), and reports progress while it runs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use powerseek::game::equilibrium::bimatrix;
use powerseek::game::scarcity::{scarcity_sweep, ScarcityOptions};
use powerseek::game::NormalFormGame;
use powerseek::mdp::gridworld;
use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::progress::Progress;
use powerseek::retarget::{self, LearnedRequest, OrbitRequest};
use powerseek::{Error, Rational, RewardDistribution};

/// Asks to stop `after` its creation; counts what it was told. Like
/// Python's signal check, it answers only on the thread that created it
/// (others always hear "go on"), so calls must relay it to their workers.
struct StopAfter {
    at: Instant,
    owner: std::thread::ThreadId,
    advanced: AtomicU64,
    /// Wait for some progress first (on a loaded machine, the first unit
    /// of work may take longer than `after`), but at most 10 s.
    wait_for_progress: bool,
    asked_at: std::sync::OnceLock<Instant>,
}

impl StopAfter {
    fn new(after: Duration, wait_for_progress: bool) -> Self {
        StopAfter {
            at: Instant::now() + after,
            owner: std::thread::current().id(),
            advanced: AtomicU64::new(0),
            wait_for_progress,
            asked_at: std::sync::OnceLock::new(),
        }
    }
}

impl StopAfter {
    /// When the call was first asked to stop.
    fn asked(&self) -> Instant {
        self.asked_at.get().copied().unwrap_or(self.at)
    }
}

impl Progress for StopAfter {
    fn advance(&self, n: u64) {
        self.advanced.fetch_add(n, Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        let now = Instant::now();
        let progressed = !self.wait_for_progress || self.advanced.load(Ordering::Relaxed) > 0;
        let stop = std::thread::current().id() == self.owner
            && (now >= self.at && progressed || now >= self.at + Duration::from_secs(10));
        if stop {
            let _ = self.asked_at.set(now);
        }
        stop
    }
}

const AFTER: Duration = Duration::from_millis(300);

/// How late a call may stop.
fn within() -> Duration {
    Duration::from_secs(if cfg!(debug_assertions) { 4 } else { 1 })
}

/// Run `call` with a progress that stops after AFTER; it must return
/// `Cancelled` soon after, having reported progress (when `reports`: some
/// calls count units longer than AFTER, such as decision-makers).
fn stops<T: std::fmt::Debug>(what: &str, reports: bool, call: impl FnOnce(&dyn Progress) -> powerseek::Result<T>) {
    let p = StopAfter::new(AFTER, reports);
    let r = call(&p);
    let late = p.asked().elapsed();
    assert!(matches!(r, Err(Error::Cancelled)), "{what}: {r:?}");
    assert!(late < within(), "{what}: stopped {late:?} after being asked");
    assert!(
        !reports || p.advanced.load(Ordering::Relaxed) > 0,
        "{what}: reported no progress"
    );
}

fn random_game(n: usize, seed: u64) -> NormalFormGame {
    let mut x = seed;
    let mut next = || {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        Rational::from_integer(((x >> 33) % 21).into()) - Rational::from_integer(10.into())
    };
    let a: Vec<Vec<Rational>> = (0..n).map(|_| (0..n).map(|_| next()).collect()).collect();
    let b: Vec<Vec<Rational>> = (0..n).map(|_| (0..n).map(|_| next()).collect()).collect();
    NormalFormGame::bimatrix(&a, &b).unwrap()
}

#[test]
fn power_stops() {
    let grid = gridworld::parse(&(".".repeat(60) + "\n").repeat(60), "open").unwrap();
    let opts = PowerOptions {
        samples: SampleSize::Count(1 << 40),
        // Debug builds take seconds for one default-sized batch here.
        batch: cfg!(debug_assertions).then_some(16),
        ..Default::default()
    };
    stops("power", true, |p| {
        estimate_power(&grid, &RewardDistribution::uniform(), &opts, p)
    });
}

#[test]
fn vertex_enumeration_stops() {
    let g = random_game(if cfg!(debug_assertions) { 24 } else { 40 }, 7);
    stops("vertex enumeration", true, |p| bimatrix::enumerate_extreme_with(&g, p));
}

#[test]
fn orbit_tendencies_stop() {
    let exhaustive = OrbitRequest {
        u: (0..12).map(f64::from).collect(),
        a: vec![0],
        b: vec![1, 2],
        ..Default::default()
    };
    stops("exhaustive orbit", false, |p| retarget::orbit(&exhaustive, None, p));
    let sampled = OrbitRequest {
        u: (0..30).map(f64::from).collect(),
        samples: Some(1 << 50),
        decision: Some("argmax,boltzmann:1".into()),
        ..exhaustive.clone()
    };
    stops("sampled orbit", false, |p| retarget::orbit(&sampled, None, p));
    let worst = OrbitRequest {
        u: (0..9).map(f64::from).collect(),
        parameters: 100_000,
        ..exhaustive
    };
    stops("worst orbit", false, |p| retarget::orbit(&worst, None, p));
}

#[test]
fn learned_tendency_stops() {
    let m = gridworld::parse("S..\n.#.\n..T\n", "g").unwrap();
    let r = LearnedRequest {
        a: "right".into(),
        b: "down".into(),
        agents: 10_000_000,
        ..Default::default()
    };
    stops("learned", true, |p| retarget::learned(&m, &r, p));
}

#[test]
fn trained_tendency_and_compatible_stop() {
    use powerseek::retarget::compatible::{compatible, CompatibleRequest};
    use powerseek::retarget::trained::{trained_tendency, TrainedRequest};
    let m = gridworld::parse("S..\n.#.\n..T\n", "g").unwrap();
    let r = TrainedRequest {
        a: "right".into(),
        b: "down".into(),
        samples: Some(1 << 40),
        parameters: Some(1),
        ..Default::default()
    };
    stops("trained", true, |p| trained_tendency(&m, &r, None, p));
    let r = CompatibleRequest {
        a: "right".into(),
        b: "down".into(),
        samples: 1 << 40,
        ..Default::default()
    };
    stops("compatible", true, |p| compatible(&m, &r, p));
}

#[test]
fn scarcity_sweep_stops() {
    let opts = ScarcityOptions {
        games: 20_000,
        ..Default::default()
    };
    stops("scarcity", true, |p| scarcity_sweep(&opts, p));
}

#[test]
fn calibration_stops() {
    let m = powerseek::conflict::ConflictModel {
        cost: 0.3,
        contest_exponent: 1.0,
        loser_share: 0.5,
        temperature: 0.1,
    };
    stops("calibration", false, |p| {
        powerseek::conflict::calibration(&m, 201, 200, 1_000_000, 1, p)
    });
}

/// A progress that lets the entry check pass and asks to stop from the
/// second poll on: a call that returns `Cancelled` with it polled again
/// inside its work.
#[derive(Default)]
struct StopOnSecondPoll(AtomicU64);

impl Progress for StopOnSecondPoll {
    fn cancelled(&self) -> bool {
        self.0.fetch_add(1, Ordering::Relaxed) >= 1
    }
}

#[test]
fn every_equilibrium_method_stops() {
    use powerseek::game::equilibrium::{solve_with, Method, SolveOptions};
    // Support enumeration on a 12×12 game visits millions of support pairs.
    let g = random_game(12, 3);
    let support = SolveOptions {
        method: Some(Method::Support),
        ..Default::default()
    };
    stops("support enumeration", false, |p| solve_with(&g, &support, p));
    // Lemke–Howson and logit paths can be short: a request to stop that
    // arrives after the entry check must still stop them before they return.
    let three = NormalFormGame::from_payoffs(
        &[3, 3, 3],
        (0..81)
            .map(|k| Rational::from_integer(((k * 7919) % 13).into()))
            .collect(),
    )
    .unwrap();
    for (method, all, game) in [
        (Method::Lh, false, &g),
        (Method::Lh, true, &g),
        (Method::Logit, false, &three),
        (Method::PureLogit, true, &three),
        (Method::Poly, true, &three),
        (Method::Simpdiv, true, &three),
    ] {
        let opts = SolveOptions {
            method: Some(method),
            all,
            ..Default::default()
        };
        let r = solve_with(game, &opts, &StopOnSecondPoll::default());
        assert!(matches!(r, Err(Error::Cancelled)), "{method:?} (all = {all}): {r:?}");
    }
}
