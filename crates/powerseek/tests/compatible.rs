//! Training-compatible goals (docs/theory.md §7.3) against closed forms.

use powerseek::progress::NoProgress;
use powerseek::retarget::compatible::{compatible, CompatibleRequest, Observed};

fn shutdown() -> powerseek::mdp::Mdp {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    powerseek::mdp::load(&dir.join("shutdown.json")).unwrap()
}

fn request(training: Vec<Observed>, gamma: f64) -> CompatibleRequest {
    CompatibleRequest {
        training,
        state: Some("new".into()),
        a: "shutdown".into(),
        b: "continue".into(),
        gamma: Some(gamma),
        samples: 20_000,
        seed: 5,
        ..Default::default()
    }
}

/// The shipped example's closed forms, derived by hand: with iid U[0,1]
/// rewards, 'continue' is optimal iff (1 − γ) R_hub + γ max(R_R, R_X) > R_off,
/// of probability (1 − γ)/2 + γ E[max(R_R, R_X)]; the training behaviour
/// (R_R > R_L, probability 1/2) raises E[max] from 2/3 to 3/4.
#[test]
fn the_rejection_sampler_matches_the_closed_form_within_4_se() {
    let mdp = shutdown();
    let observed: Observed = "train=right".parse().unwrap();
    for gamma in [0.5, 0.9] {
        let r = compatible(&mdp, &request(vec![observed.clone()], gamma), &NoProgress).unwrap();
        let within = |p: &powerseek::stats::Proportion, exact: f64| {
            assert!(
                (p.estimate - exact).abs() < 4.0 * p.se,
                "γ = {gamma}: {p:?} against {exact}"
            );
        };
        within(&r.acceptance, 0.5);
        within(&r.power_seeking, (1.0 - gamma) / 2.0 + 0.75 * gamma);
        within(&r.prior_power_seeking, (1.0 - gamma) / 2.0 + gamma * 2.0 / 3.0);
        assert_eq!(r.prior.total(), 20_000);
        assert_eq!(r.compatible.total(), r.acceptance.successes);
        assert_eq!(
            r.compatible.equal, 0,
            "ties have probability 0 under a continuous prior"
        );
    }
    // Without observations every draw is compatible: the two estimates coincide.
    let free = compatible(&mdp, &request(vec![], 0.9), &NoProgress).unwrap();
    assert_eq!(free.acceptance.successes, 20_000);
    assert_eq!(free.compatible, free.prior);
}

#[test]
fn observations_that_name_nothing_are_errors() {
    let mdp = shutdown();
    for (observed, msg) in [
        ("nowhere=right", "training[0]: no state named 'nowhere'"),
        (
            "train=continue",
            "training[0]: action 'continue' is not available in state 'train'",
        ),
    ] {
        let r = request(vec![observed.parse().unwrap()], 0.9);
        let e = compatible(&mdp, &r, &NoProgress).unwrap_err().to_string();
        assert!(e.contains(msg), "{e}");
    }
    assert!("train"
        .parse::<Observed>()
        .unwrap_err()
        .to_string()
        .contains("state=action"));
    let e = compatible(&mdp, &request(vec![], 1.5), &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(e.contains("outside (0, 1)"), "{e}");
}
