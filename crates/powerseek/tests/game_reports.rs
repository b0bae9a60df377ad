//! The games' front-end entry points: one loader, one solver with its option
//! validation and exact re-check, and the POWER and alignment reports with
//! their JSON serialisation (the CLI's `--format json`).

use std::path::PathBuf;

use num_traits::Zero;
use powerseek::game::alignment::{alignment_report, AlignmentOptions};
use powerseek::game::equilibrium::{solve, solve_bayesian, solve_file, GameSolution, Method, SolveOptions};
use powerseek::game::power::{parse_profile, power_report, Profiles};
use powerseek::game::{self, parse_rational, GameFile, Rational};
use powerseek::progress::NoProgress;

fn example(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/games")).join(name)
}

fn q(s: &str) -> Rational {
    parse_rational(s).unwrap()
}

fn normal(name: &str) -> powerseek::NormalFormGame {
    game::load(&example(name))
        .unwrap()
        .into_normal_form("this test")
        .unwrap()
}

fn opts(method: Option<Method>, all: bool) -> SolveOptions {
    SolveOptions {
        method,
        all,
        ..Default::default()
    }
}

#[test]
fn one_loader_chooses_the_format_by_extension() {
    assert!(matches!(
        game::load(&example("prisoners-dilemma.nfg")).unwrap(),
        GameFile::Normal(_)
    ));
    assert!(matches!(
        game::load(&example("rock-paper-scissors.json")).unwrap(),
        GameFile::Normal(_)
    ));
    assert!(matches!(
        game::load(&example("bayesian-two-type.json")).unwrap(),
        GameFile::Bayesian(_)
    ));
    let bayes1a = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gambit/bayes1a.efg"));
    assert!(matches!(game::load(&bayes1a).unwrap(), GameFile::Bayesian(_)));
    let text = std::fs::read_to_string(example("prisoners-dilemma.nfg")).unwrap();
    assert_eq!(
        game::load_text(&text, "NFG", "pd").unwrap(),
        game::load(&example("prisoners-dilemma.nfg")).unwrap()
    );
    let e = game::load_text(&text, "txt", "pd.txt").unwrap_err().to_string();
    assert!(e.contains("unknown game file extension 'txt'"), "{e}");
    let e = game::load(&example("bayesian-two-type.json"))
        .unwrap()
        .into_normal_form("alignment metrics")
        .unwrap_err()
        .to_string();
    assert!(e.contains("Bayesian") && e.contains("alignment metrics"), "{e}");
}

#[test]
fn solve_chooses_the_method_by_game_and_rejects_options_that_do_nothing() {
    let bos = normal("battle-of-the-sexes.nfg");
    let three = normal("three-player.nfg");
    assert_eq!(solve(&bos, &opts(None, false)).unwrap().method, Method::Lh);
    let all = solve(&bos, &opts(None, true)).unwrap();
    assert_eq!(all.method, Method::Enum);
    assert_eq!(all.equilibria.len(), 3);
    assert!(all.exact && all.equilibria.iter().all(|e| e.max_regret.is_zero()));
    assert_eq!(solve(&three, &opts(None, false)).unwrap().method, Method::Logit);
    let n = solve(&three, &opts(None, true)).unwrap();
    // All equilibria of a small n-player game: the poly method (two pure, one mixed, all exact).
    assert_eq!(n.method, Method::Poly);
    assert_eq!(n.equilibria.len(), 3);
    assert!(n.equilibria.iter().all(|e| e.max_regret.is_zero()));
    // The output states why: the default and its measured reason, or nothing when asked for.
    let why = n.choice.as_deref().unwrap();
    assert!(
        why.contains("poly") && why.contains("support profiles") && why.contains("§14"),
        "{why}"
    );
    assert!(all.choice.as_deref().unwrap().contains("reverse search"));
    assert_eq!(solve(&three, &opts(Some(Method::Poly), true)).unwrap().choice, None);
    let big = Method::default_reason(&[5, 4, 3], true);
    assert!(big.contains("3255") && big.contains("pure + logit"), "{big}");
    for (method, game, expected) in [
        (Method::Logit, &bos, "finds one equilibrium"),
        (Method::Lp, &bos, "finds one equilibrium"),
        (Method::Enum, &three, "needs a 2-player game"),
    ] {
        let all = method != Method::Enum;
        let e = solve(game, &opts(Some(method), all)).unwrap_err().to_string();
        assert!(e.contains(expected), "{method}: {e}");
    }
    assert_eq!("pure-logit".parse::<Method>().unwrap(), Method::PureLogit);
    assert!("nash"
        .parse::<Method>()
        .unwrap_err()
        .to_string()
        .contains("enum, support"));
    // Payoffs and regret are recomputed from the game.
    for e in &all.equilibria {
        assert_eq!(e.payoffs, bos.expected_payoffs(&e.strategies));
    }
    let lp = solve(&normal("matching-pennies.nfg"), &opts(Some(Method::Lp), false)).unwrap();
    assert_eq!(lp.note, "value 0");
}

#[test]
fn bayesian_equilibria_are_behaviours_rechecked_by_interim_regret() {
    let GameFile::Bayesian(b) = game::load(&example("bayesian-two-type.json")).unwrap() else {
        panic!("a Bayesian game")
    };
    let s = solve_bayesian(&b, &SolveOptions::all()).unwrap();
    assert_eq!(s.via, "induced normal form");
    assert_eq!(s.equilibria.len(), 1);
    let e = &s.equilibria[0];
    assert!(e.max_interim_regret.is_zero());
    assert_eq!(e.payoffs[1], q("23/6"));
    assert_eq!(e.behaviour[0][0][0], q("2/3"));
    let json =
        serde_json::to_value(solve_file(&GameFile::Bayesian(b), &SolveOptions::all(), &NoProgress).unwrap()).unwrap();
    assert_eq!(json["equilibria"][0]["behaviour"][1][1][0], "2/3");
    assert_eq!(json["equilibria"][0]["max_interim_regret"], "0");
    assert_eq!(json["method"], "enum");
}

#[test]
fn solutions_serialise_exactly() {
    let GameSolution::Normal(s) = solve_file(
        &game::load(&example("degenerate.nfg")).unwrap(),
        &SolveOptions::all(),
        &NoProgress,
    )
    .unwrap() else {
        panic!("normal form")
    };
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["equilibria"].as_array().unwrap().len(), 4);
    assert_eq!(json["components"].as_array().unwrap().len(), 1);
    assert_eq!(json["equilibria"][1]["strategies"][1][0], "3/4");
    assert_eq!(json["exact"], true);
}

#[test]
fn power_report_covers_equilibria_and_the_uniform_profile() {
    let b = game::load(&example("bayesian-two-type.json")).unwrap().into_bayesian();
    let r = power_report(&b, &Profiles::EquilibriaAndUniform).unwrap();
    assert!(r.bayesian);
    assert_eq!(r.method, Some(Method::Enum));
    assert_eq!(r.profiles.len(), 2);
    let eq = &r.profiles[0].power;
    assert_eq!(
        (eq.players[0].power.clone(), eq.players[1].power.clone()),
        (q("5"), q("23/6"))
    );
    assert!(eq.is_equilibrium);
    let uniform = &r.profiles[1];
    assert_eq!(uniform.label, "uniform");
    assert_eq!(uniform.power.total_regret, q("17/8"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["profiles"][1]["players"][1]["power"], "21/4");
    assert_eq!(json["profiles"][0]["total_regret"], "0");

    let pennies = game::load(&example("matching-pennies.nfg")).unwrap().into_bayesian();
    let r = power_report(&pennies, &Profiles::default()).unwrap();
    assert!(!r.bayesian);
    assert_eq!(r.constant_sum, Some(q("0")));
    assert!(r.profiles[0].power.total_power.is_zero());
    assert_eq!(power_report(&pennies, &Profiles::Uniform).unwrap().profiles.len(), 1);
}

#[test]
fn profiles_parse_exactly_and_name_what_is_wrong() {
    let pd = game::load(&example("prisoners-dilemma.nfg")).unwrap().into_bayesian();
    let sigma = parse_profile(r#"{"Row": ["1", 0], "Column": ["1/2", 0.5]}"#, "p.json", &pd).unwrap();
    let r = power_report(&pd, &Profiles::Given(sigma)).unwrap();
    // Row cooperates, Column mixes: Row's POWER = max(C: 1, D: 2) = 2; Column's = max(C: 2, D: 3) = 3.
    assert_eq!(r.profiles[0].power.players[0].power, q("2"));
    assert_eq!(r.profiles[0].power.players[1].power, q("3"));
    assert!(!r.profiles[0].power.is_equilibrium);
    for (text, expected) in [
        (r#"{"Row": [1, 0]}"#, "Column"),
        (r#"{"Row": [1, 0], "Column": [1, 0], "Col": [1]}"#, "Col"),
        (r#"{"Row": [1, "x"], "Column": [1, 0]}"#, "Row[1]"),
        (r#"{"Row": [1, 1], "Column": [1, 0]}"#, "sum to 2, not 1"),
    ] {
        let e = parse_profile(text, "p.json", &pd).unwrap_err().to_string();
        assert!(e.contains("p.json") && e.contains(expected), "{text}: {e}");
    }
    let b = game::load(&example("bayesian-two-type.json")).unwrap().into_bayesian();
    let e = parse_profile(r#"{"Player 1": [1, 0], "Player 2": [1, 0]}"#, "p.json", &b)
        .unwrap_err()
        .to_string();
    assert!(e.contains("types"), "{e}");
}

#[test]
fn alignment_report_carries_every_metric() {
    let pd = normal("prisoners-dilemma.nfg");
    let r = alignment_report(&pd, &AlignmentOptions::default()).unwrap();
    assert_eq!(r.alpha, q("-2"));
    assert_eq!(r.alignment_gap, q("2"));
    assert_eq!(r.weights, vec![q("1"), q("1")]);
    assert_eq!(r.max_welfare_profiles, vec![vec![0, 0]]);
    assert_eq!(r.threat_point, vec![q("1"), q("1")]);
    let labels: Vec<&str> = r.localized.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        ["max-sum (C, C)", "pure maxmin", "mixed maxmin", "Nash equilibrium 1"]
    );
    let json = serde_json::to_value(&r).unwrap();
    for field in [
        "weights",
        "max_welfare",
        "max_welfare_profiles",
        "ideal_welfare",
        "alpha",
        "alignment_gap",
        "constant_welfare",
        "unanimous_profiles",
        "security",
        "threat_point",
        "nash_bargaining",
        "localized",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
    assert_eq!(json["localized"][3]["coordination_gap"], "2");
    assert_eq!(json["nash_bargaining"]["exact_payoffs"][0], "2");
    let e = alignment_report(
        &pd,
        &AlignmentOptions {
            weights: Some(vec![q("1"), q("-1")]),
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("positive"), "{e}");
}
