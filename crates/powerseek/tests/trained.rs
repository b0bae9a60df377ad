//! Trained agents as decision-makers over reward orbits (docs/theory.md §7.2).

use powerseek::mdp::Mdp;
use powerseek::progress::NoProgress;
use powerseek::retarget::learn::Learner;
use powerseek::retarget::trained::{trained_report, trained_tendency, TrainedRequest, Trainer, TrainingRequest};
use powerseek::retarget::{mdp_tendency, MdpTendencyRequest};

/// start → 'left' to an absorbing state, 'right' to a hub with two.
fn tiny() -> Mdp {
    powerseek::mdp::json::parse(
        r#"{"states": ["start", "l", "hub", "x", "y"], "start": "start",
            "transitions": {"start": {"left": "l", "right": "hub"}, "l": {"stay": "l"},
                            "hub": {"a": "x", "b": "y"}, "x": {"stay": "x"}, "y": {"stay": "y"}}}"#,
        "tiny.json",
    )
    .unwrap()
}

/// Argmax on the fork in closed form (cheap): right when the best of the
/// three-way branch beats the one-way branch.
struct ForkRule;

impl Trainer for ForkRule {
    fn first_move(&self, r: &[f64], _seed: u64) -> powerseek::Result<Vec<f64>> {
        let g: f64 = 0.9;
        let left = r[1] + g * r[3] / (1.0 - g);
        let right = r[2] + g * r[4..].iter().copied().fold(f64::MIN, f64::max) / (1.0 - g);
        // Labels of fork.json: left, right, go, a, b, c, stay.
        let mut p = vec![0.0; 7];
        p[usize::from(right > left)] = 1.0;
        Ok(p)
    }
    fn name(&self) -> String {
        "rule".into()
    }
}

fn fork() -> Mdp {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    powerseek::mdp::load(&dir.join("fork.json")).unwrap()
}

/// Optimal first move by plain value iteration (written here, independently
/// of the library's solvers and of its visit-distribution enumeration).
struct ValueIteration<'a> {
    mdp: &'a Mdp,
    gamma: f64,
}

impl Trainer for ValueIteration<'_> {
    fn first_move(&self, reward: &[f64], _seed: u64) -> powerseek::Result<Vec<f64>> {
        let m = self.mdp;
        let mut v = vec![0.0; m.n_states()];
        for _ in 0..300 {
            v = (0..m.n_states())
                .map(|s| reward[s] + self.gamma * m.actions(s).map(|a| v[m.successor(a)]).fold(f64::MIN, f64::max))
                .collect();
        }
        let s = m.start().unwrap();
        let best = m.actions(s).map(|a| v[m.successor(a)]).fold(f64::MIN, f64::max);
        let mut p = vec![0.0; m.action_names().len()];
        let top: Vec<usize> = m.actions(s).filter(|&a| v[m.successor(a)] >= best - 1e-9).collect();
        for &a in &top {
            p[m.action_label(a)] += 1.0 / top.len() as f64;
        }
        Ok(p)
    }
    fn name(&self) -> String {
        "value-iteration".into()
    }
}

fn request(u: Option<Vec<f64>>, parameters: Option<usize>, samples: Option<u64>) -> TrainedRequest {
    TrainedRequest {
        a: "left".into(),
        b: "right".into(),
        u,
        parameters,
        samples,
        seed: 3,
        ..Default::default()
    }
}

fn argmax(mdp: &Mdp, r: &TrainedRequest) -> Vec<powerseek::retarget::Tendency> {
    let m = MdpTendencyRequest {
        a: r.a.clone(),
        b: r.b.clone(),
        u: r.u.clone(),
        parameters: r.parameters,
        samples: r.samples,
        seed: r.seed,
        decision: Some("argmax".into()),
        ..Default::default()
    };
    // mdp_tendency reports the worst orbit only; one orbit per call gives each.
    let us: Vec<Vec<f64>> = match &r.u {
        Some(u) => vec![u.clone()],
        None => powerseek::retarget::random_parameters(mdp.n_states(), r.parameters.unwrap(), r.seed),
    };
    us.into_iter()
        .map(|u| {
            let one = MdpTendencyRequest {
                u: Some(u),
                parameters: Some(0),
                ..m.clone()
            };
            mdp_tendency(mdp, &one, &NoProgress).unwrap().tendency.worst_orbit[0].tendency
        })
        .collect()
}

#[test]
fn an_optimal_trainer_reproduces_argmax_orbit_counts() {
    let (small, mdp) = (tiny(), fork());
    for (mdp, r) in [
        (&small, request(None, Some(1), None)),
        (&mdp, request(None, Some(2), Some(400))),
        (
            &mdp,
            request(Some(vec![0.3, 0.1, 0.9, 0.5, 0.2, 0.8, 0.4]), None, Some(300)),
        ),
    ] {
        let vi = ValueIteration { mdp, gamma: 0.9 };
        let report = trained_tendency(mdp, &r, Some(&vi), &NoProgress).unwrap();
        let counts: Vec<_> = report.orbits.iter().map(|o| o.row.tendency).collect();
        assert_eq!(counts, argmax(mdp, &r), "{r:?}");
        assert!(counts.iter().all(|t| t.b_more > 0 && t.a_more > 0), "{counts:?}");
        assert_eq!(report.trained, counts.iter().map(|t| t.total()).sum::<u64>());
        let worst = report.orbits.iter().map(|o| o.row.fraction).fold(f64::MAX, f64::min);
        assert_eq!(report.orbits[report.worst].row.fraction, worst);
        if r.samples.is_some() {
            assert!(report.orbits.iter().all(|o| o.row.ci95.is_some()));
        } else {
            assert_eq!(
                report.orbits[0].row.tendency.total(),
                120,
                "5 distinct rewards: 5! permutations"
            );
        }
    }
}

#[test]
fn shards_of_permutation_chunks_add_up_to_the_whole_run() {
    let mdp = fork();
    let whole = request(None, Some(2), Some(4096 + 77));
    let full = trained_tendency(&mdp, &whole, Some(&ForkRule), &NoProgress).unwrap();
    assert_eq!(
        full.orbits.iter().map(|o| o.row.tendency).collect::<Vec<_>>(),
        argmax(&mdp, &whole)
    );
    let mut sums = vec![powerseek::retarget::Tendency::default(); 2];
    for chunks in [(0, 1), (1, 3)] {
        let shard = TrainedRequest {
            chunks: Some(chunks),
            ..whole.clone()
        };
        let part = trained_tendency(&mdp, &shard, Some(&ForkRule), &NoProgress).unwrap();
        assert!(part.orbits[0].row.ci95.is_none(), "a shard has no interval of its own");
        for (s, o) in sums.iter_mut().zip(&part.orbits) {
            s.b_more += o.row.tendency.b_more;
            s.equal += o.row.tendency.equal;
            s.a_more += o.row.tendency.a_more;
        }
    }
    let merged = trained_report(&mdp, &whole, Some("rule"), &sums).unwrap();
    assert_eq!(
        serde_json::to_string(&merged).unwrap(),
        serde_json::to_string(&full).unwrap()
    );
}

#[test]
fn built_in_learners_intervals_contain_the_exact_argmax_tendency() {
    let mdp = tiny();
    let u = vec![0.3, 0.1, 0.9, 0.5, 0.7];
    // The exact tendency: argmax over the whole orbit (120 rewards).
    let exact = argmax(&mdp, &request(Some(u.clone()), None, None))[0];
    assert_eq!(exact.total(), 120);
    let sampled_argmax = argmax(&mdp, &request(Some(u.clone()), None, Some(200)))[0];
    let exact = exact.b_more as f64 / exact.total() as f64;
    for (learner, features) in [
        (Learner::Tabular, None),
        (Learner::Linear, None),
        (Learner::Linear, Some(5)),
    ] {
        let r = TrainedRequest {
            training: Some(TrainingRequest {
                learner: Some(learner),
                features,
                episodes: Some(600),
                horizon: Some(8),
                epsilon: Some(0.5),
                ..Default::default()
            }),
            ..request(Some(u.clone()), None, Some(200))
        };
        let report = trained_tendency(&mdp, &r, None, &NoProgress).unwrap();
        let row = &report.orbits[0].row;
        assert_eq!(row.tendency.total(), 200);
        if features.is_none() {
            // Trained this long, the table and the one-hot linear learner agree
            // with argmax on every sampled reward, and their interval holds the
            // exact orbit fraction whenever argmax's own sample's does.
            assert_eq!(row.tendency, sampled_argmax, "{learner:?}");
            let ci = row.ci95.unwrap();
            assert!(ci[0] <= exact && exact <= ci[1], "{learner:?}: exact {exact}, {row:?}");
        } else {
            // Random features cannot always represent the values: the learner
            // may differ from argmax on a few rewards, but not on many.
            let gap = row.tendency.b_more.abs_diff(sampled_argmax.b_more);
            assert!(gap <= 10, "{features:?}: {row:?} against argmax {sampled_argmax:?}");
        }
    }
}

struct Bad(Vec<f64>);

impl Trainer for Bad {
    fn first_move(&self, _: &[f64], _: u64) -> powerseek::Result<Vec<f64>> {
        Ok(self.0.clone())
    }
    fn name(&self) -> String {
        "bad".into()
    }
}

#[test]
fn a_trainers_impossible_answers_are_errors() {
    let mdp = fork();
    let labels = mdp.action_names().to_vec();
    let go = labels.iter().position(|l| l == "go").unwrap();
    let mut unavailable = vec![0.0; labels.len()];
    unavailable[go] = 1.0;
    for (p, msg) in [
        (vec![0.5], "probabilities for"),
        (vec![f64::NAN; labels.len()], "NaN"),
        (
            unavailable,
            "chose action 'go', which is not available in state 'start'",
        ),
    ] {
        let e = trained_tendency(&mdp, &request(None, Some(1), Some(10)), Some(&Bad(p)), &NoProgress)
            .unwrap_err()
            .to_string();
        assert!(e.contains(msg), "{e}");
    }
    let chunks_alone = TrainedRequest {
        chunks: Some((0, 1)),
        ..request(None, Some(1), None)
    };
    let e = trained_tendency(&mdp, &chunks_alone, None, &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs samples"), "{e}");
    let diverging = TrainedRequest {
        training: Some(TrainingRequest {
            learner: Some(Learner::Linear),
            features: Some(2),
            alpha: Some(1.0),
            episodes: Some(3000),
            ..Default::default()
        }),
        ..request(Some(vec![1e3; 7]), None, Some(1))
    };
    let e = trained_tendency(&mdp, &diverging, None, &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(e.contains("diverged"), "{e}");
}
