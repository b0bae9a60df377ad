//! Helpers shared by the integration tests: comparisons against Gambit's
//! test games, and random MDPs (each test binary uses the ones it needs).
#![allow(dead_code)]

use std::path::PathBuf;

use powerseek::game::equilibrium::Equilibrium;
use powerseek::game::{format_rational, NormalFormGame};
use powerseek::mdp::kernel::Block;
use powerseek::mdp::reward::{Draws, RewardDistribution};
use powerseek::mdp::solve::{BlockScratch, Horizon, Solver, SolverOptions};
use powerseek::mdp::{Mdp, MdpBuilder};
use proptest::prelude::*;
use serde_json::Value;

/// The Gambit games ship with the repository (`tests/data/gambit`, see its
/// README); a missing folder is a broken checkout, so every test fails loudly.
pub fn gambit_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gambit"));
    assert!(dir.is_dir(), "the Gambit test games are missing: {}", dir.display());
    dir
}

/// An equilibrium as a canonical set element: `"p1,p2|q1,q2"`, exact.
pub fn key(e: &Equilibrium) -> String {
    e.strategies
        .iter()
        .map(|s| s.iter().map(format_rational).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("|")
}

/// Each player's probabilities in an equilibrium of Gambit's reference
/// JSON, whose strategies are keyed by player name, mapped by `f`.
fn gambit_rows<T>(eq: &Value, game: &NormalFormGame, f: impl Fn(&Value) -> T) -> Vec<Vec<T>> {
    game.players()
        .iter()
        .map(|p| eq["strategies"][p].as_array().unwrap().iter().map(&f).collect())
        .collect()
}

/// The same key for an equilibrium of Gambit's reference JSON (exact
/// `"p/q"` strings).
pub fn gambit_key(eq: &Value, game: &NormalFormGame) -> String {
    gambit_rows(eq, game, |x| x.as_str().unwrap().to_string())
        .iter()
        .map(|row| row.join(","))
        .collect::<Vec<_>>()
        .join("|")
}

/// An equilibrium of Gambit's reference JSON (floats or `"p/q"` strings,
/// keyed by player name) as floats, player by player.
pub fn gambit_profile(eq: &Value, game: &NormalFormGame) -> Vec<Vec<f64>> {
    use num_traits::ToPrimitive;
    gambit_rows(eq, game, |x| match x {
        Value::String(s) => powerseek::game::parse_rational(s).unwrap().to_f64().unwrap(),
        v => v.as_f64().unwrap(),
    })
}

/// The shape of the random MDPs of [`arb_mdp_shaped`].
#[derive(Clone, Debug)]
pub struct MdpShape {
    /// Number of states.
    pub states: std::ops::Range<usize>,
    /// Actions per state.
    pub actions: std::ops::Range<usize>,
    /// Two-successor rows split in quarters (exact in binary and as
    /// rationals) rather than by a probability drawn from `[0.05, 0.95)`.
    pub quarters: bool,
}

/// A random MDP of the given shape: every action goes to one random state,
/// or (unless `deterministic`) to two, split at random.
pub fn arb_mdp_shaped(shape: MdpShape, deterministic: bool) -> impl Strategy<Value = Mdp> {
    let MdpShape {
        states,
        actions,
        quarters,
    } = shape;
    states.prop_flat_map(move |n| {
        let split = if quarters {
            (1u32..4).prop_map(|q| q as f64 / 4.0).boxed()
        } else {
            (0.05f64..0.95).boxed()
        };
        let action = (0..n, 0..n, split, any::<bool>());
        proptest::collection::vec(proptest::collection::vec(action, actions.clone()), n).prop_map(move |states| {
            let mut b = MdpBuilder::with_states(n);
            for (s, actions) in states.iter().enumerate() {
                for (i, &(t1, t2, p, single)) in actions.iter().enumerate() {
                    let row: Vec<(usize, f64)> = if deterministic || single || t1 == t2 {
                        vec![(t1, 1.0)]
                    } else {
                        vec![(t1, p), (t2, 1.0 - p)]
                    };
                    b.add_action(s, &format!("a{i}"), &row).unwrap();
                }
            }
            b.build().unwrap()
        })
    })
}

/// A random MDP: 2–39 states, 1–4 actions each, deterministic or stochastic rows.
pub fn arb_mdp(deterministic: bool) -> impl Strategy<Value = Mdp> {
    let shape = MdpShape {
        states: 2..40,
        actions: 1..5,
        quarters: false,
    };
    arb_mdp_shaped(shape, deterministic)
}

/// One block of uniform rewards, `width` lanes drawn from `seed`.
pub fn rewards(mdp: &Mdp, seed: u64, width: usize) -> Vec<Block> {
    let mut r = vec![Block::ZERO; mdp.n_states()];
    RewardDistribution::uniform().fill_block(seed, 0, width, false, &mut Draws::default(), &mut r);
    r
}

/// Solve one block; the values and the number of sweeps.
pub fn solve_block(mdp: &Mdp, gamma: f64, opts: SolverOptions, r: &[Block], width: usize) -> (Vec<Block>, usize) {
    let solver = Solver::new(mdp, Horizon::Discounted(gamma), opts).unwrap();
    let mut v = vec![Block::ZERO; mdp.n_states()];
    let stats = solver
        .solve_block(r, width, &mut v, &mut BlockScratch::default())
        .unwrap();
    (v, stats.iterations)
}

/// Every lane's bits, state by state.
pub fn bits(v: &[Block]) -> Vec<u64> {
    v.iter().flat_map(|b| b.0.map(f64::to_bits)).collect()
}
