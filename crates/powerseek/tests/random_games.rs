//! Random stochastic games and the JSON writer: the writer's text parses to
//! the same game (every joint action's row, exactly; the shipped examples
//! too), a specification gives one game, rows have the asked-for number of
//! distinct successors, sizes are checked, and conservation holds on them.

use powerseek::stochastic::power::{stochastic_power, Method, Rewards, StochasticOptions};
use powerseek::stochastic::random::{random_game, to_json, RandomGameSpec};
use powerseek::stochastic::reward::{Joint, RewardModel};
use powerseek::stochastic::{Play, StochasticGame};
use powerseek::NoProgress;

fn same_game(a: &StochasticGame, b: &StochasticGame) {
    assert_eq!(a.players(), b.players());
    assert_eq!(a.state_names(), b.state_names());
    assert_eq!(a.play(), b.play());
    assert_eq!(a.n_joint_actions(), b.n_joint_actions());
    for s in 0..a.n_states() {
        assert_eq!(a.mover(s), b.mover(s));
        for i in 0..a.n_players() {
            assert_eq!(a.actions(s, i), b.actions(s, i));
        }
    }
    for ja in 0..a.n_joint_actions() {
        let (ta, pa) = a.successors_exact(ja);
        let (tb, pb) = b.successors_exact(ja);
        let mut ra: Vec<_> = ta.iter().zip(pa).collect();
        let mut rb: Vec<_> = tb.iter().zip(pb).collect();
        ra.sort();
        rb.sort();
        assert_eq!(ra, rb, "joint action {ja}");
    }
}

#[test]
fn written_games_parse_back_to_the_same_game() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/stochastic");
    for name in ["duel.json", "turns.json", "guess.json"] {
        let g = powerseek::stochastic::json::load(&examples.join(name)).unwrap();
        same_game(&g, &StochasticGame::from_json(&to_json(&g), name).unwrap());
        assert_eq!(
            g.discount(),
            StochasticGame::from_json(&to_json(&g), name).unwrap().discount()
        );
    }
    for play in [Play::Simultaneous, Play::TurnBased] {
        for players in 1..4 {
            let spec = RandomGameSpec {
                players,
                states: 6,
                actions: 3,
                successors: 3,
                play,
                seed: 7,
            };
            let g = random_game(&spec).unwrap();
            same_game(&g, &StochasticGame::from_json(&to_json(&g), "random.json").unwrap());
        }
    }
}

#[test]
fn a_specification_gives_one_game() {
    let spec = RandomGameSpec::default();
    let g = random_game(&spec).unwrap();
    assert_eq!(to_json(&g), to_json(&random_game(&spec).unwrap()));
    let other = random_game(&RandomGameSpec {
        seed: 1,
        ..spec.clone()
    })
    .unwrap();
    assert_ne!(to_json(&g), to_json(&other));
    for ja in 0..g.n_joint_actions() {
        let (next, prob) = g.successors_exact(ja);
        let mut distinct = next.to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), spec.successors, "joint action {ja}");
        assert!(prob.iter().all(|p| *p > num_traits::Zero::zero()));
    }
    // Turn-based: the mover of state s is player s mod n, the others wait.
    let t = random_game(&RandomGameSpec {
        play: Play::TurnBased,
        players: 3,
        ..spec
    })
    .unwrap();
    for s in 0..t.n_states() {
        assert_eq!(t.mover(s), Some(s % 3));
        assert_eq!(t.n_actions(s, (s + 1) % 3), 1);
    }
}

#[test]
fn sizes_are_checked() {
    let bad = |spec: RandomGameSpec, piece: &str| {
        let e = random_game(&spec).unwrap_err().to_string();
        assert!(e.contains(piece), "{e}");
    };
    bad(
        RandomGameSpec {
            successors: 6,
            ..Default::default()
        },
        "distinct successors",
    );
    bad(
        RandomGameSpec {
            states: 0,
            ..Default::default()
        },
        "states",
    );
    bad(
        RandomGameSpec {
            players: 40,
            actions: 3,
            ..Default::default()
        },
        "above the limit",
    );
}

#[test]
fn conservation_holds_on_random_constant_sum_games() {
    for seed in 0..3 {
        let g = random_game(&RandomGameSpec {
            seed,
            states: 4,
            actions: 3,
            ..Default::default()
        })
        .unwrap();
        let model = RewardModel {
            joint: Joint::ConstantSum(None),
            ..RewardModel::default()
        };
        let opts = StochasticOptions {
            samples: 20,
            seed,
            ..StochasticOptions::default()
        };
        let eq = stochastic_power(&g, &Rewards::Random(model), &opts, &NoProgress).unwrap();
        assert!(eq.target_reached);
        for t in &eq.total_power {
            assert!((t.mean - 1.0).abs() < 1e-5, "{}", t.mean);
        }
        let uniform = stochastic_power(
            &g,
            &Rewards::Random(model),
            &StochasticOptions {
                method: Method::Uniform,
                ..opts.clone()
            },
            &NoProgress,
        )
        .unwrap();
        for (t, r) in uniform.total_power.iter().zip(&uniform.total_regret) {
            assert!((t.mean - 1.0 - r.mean).abs() < 1e-5);
            assert!(r.mean > 0.0);
        }
    }
}
