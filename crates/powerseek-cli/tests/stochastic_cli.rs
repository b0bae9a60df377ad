//! `powerseek stochastic`: JSON output carries the report's fields and
//! conservation in a constant-sum game, the sweep writes its picture, and a
//! bad game file fails with the field named.

mod common;
use common::*;

use std::path::PathBuf;

#[test]
fn power_json_shows_conservation_at_equilibrium() {
    let out = powerseek(&[
        "stochastic",
        "power",
        &example("stochastic/duel.json"),
        "--rewards",
        "constant-sum",
        "-n",
        "40",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["players"], serde_json::json!(["H", "A"]));
    assert_eq!(v["constant_sum"], 1.0);
    assert_eq!(v["target_reached"], true);
    for t in v["total_power"].as_array().unwrap() {
        assert!((t["mean"].as_f64().unwrap() - 1.0).abs() < 1e-5);
    }
    // Exact finite horizon: the gains are exactly zero.
    let out = powerseek(&[
        "stochastic",
        "power",
        &example("stochastic/turns.json"),
        "--steps",
        "2",
        "--rewards",
        "constant-sum",
        "-n",
        "10",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["exact"], true);
    assert_eq!(v["max_exploitability"], 0.0);
}

#[test]
fn sweep_writes_its_picture_and_bad_files_name_the_field() {
    let dir = std::env::temp_dir().join(format!("powerseek-stochastic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plot = dir.join("sweep.svg");
    let out = powerseek(&[
        "stochastic",
        "sweep",
        &example("stochastic/turns.json"),
        "-g",
        "0.5",
        "-n",
        "8",
        "--rhos",
        "-1,1",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
    let grid = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/powerplay3x3.grid");
    let map = dir.join("map.svg");
    let out = powerseek(&[
        "stochastic",
        "power",
        grid.to_str().unwrap(),
        "--rewards",
        "constant-sum",
        "-g",
        "0.2",
        "-n",
        "4",
        "--plot",
        map.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&map).unwrap().contains("<svg"));
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"players": ["H"], "states": [{"name": "a", "actions": [["x"]], "transitions": {"x": {"a": "1/2"}}}]}"#,
    )
    .unwrap();
    let out = powerseek(&["stochastic", "power", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sum to 1/2") && err.contains("bad.json"), "{err}");
}

#[test]
fn lambda_sweep_runs_from_common_payoff_to_constant_sum() {
    let dir = std::env::temp_dir().join(format!("powerseek-stochastic-l-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plot = dir.join("lambda.svg");
    let out = powerseek(&[
        "stochastic",
        "sweep",
        &example("stochastic/duel.json"),
        "-n",
        "12",
        "--lambdas",
        "0,1",
        "--format",
        "json",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["over"], "lambda");
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert!(points[0].get("rho").is_none());
    let mean = |p: &serde_json::Value, key: &str| p[key]["mean"].as_f64().unwrap();
    let eps = |p: &serde_json::Value| p["max_exploitability"].as_f64().unwrap();
    // λ = 0, common payoff: at an equilibrium both players' POWER is the
    // shared value up to the certified exploitability.
    let (c, e) = (&points[0], eps(&points[0]));
    let (h, a) = (
        c["equilibrium_power"][0]["mean"].as_f64().unwrap(),
        c["equilibrium_power"][1]["mean"].as_f64().unwrap(),
    );
    assert!(c["target_reached"].as_bool().unwrap(), "{c}");
    assert!((h - a).abs() <= 2.0 * e + 1e-9, "common payoff: {h} vs {a}");
    // λ = 1, constant-sum (c = 1): ΣPOWER is 1 up to the exploitability, in every sample.
    let k = &points[1];
    assert!(k["method"].as_str().unwrap().starts_with("Shapley"), "{k}");
    assert!((mean(k, "equilibrium_total") - 1.0).abs() <= 2.0 * eps(k) + 1e-9, "{k}");
    assert!(k["powerplay_total"]["mean"].as_f64().is_some());
    let bad = powerseek(&[
        "stochastic",
        "sweep",
        &example("stochastic/duel.json"),
        "--lambdas",
        "0,1.5",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("outside [0, 1]"));
}

/// The guessing example has a closed form: B plays the action its type
/// likes; A, earning 1 for matching, guesses x (prior 2/3) in one step and
/// after one step knows B's type: POWER 2/3, then (2/3 + 1)/2 = 5/6.
#[test]
fn incomplete_information_guessing_game() {
    let game = example("stochastic/guess.json");
    let types = example("stochastic/guess-types.json");
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "stochastic",
        "incomplete",
        &game,
        "--types",
        &types,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["power"][0][0], "2/3");
    assert_eq!(v["complete_power"][0][0], "1");
    assert_eq!(v["information_value"][0][0], "1/3");
    assert_eq!(v["equilibrium"], true);
    assert_eq!(v["types"]["names"][1], serde_json::json!(["B likes x", "B likes y"]));
    let strategies = example("stochastic/guess-strategies.json");
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "stochastic",
        "incomplete",
        &game,
        "--types",
        &types,
        "--steps",
        "2",
        "--strategies",
        &strategies,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["power"][0][0], "5/6");
    assert_eq!(v["value"][0][0], "1/2");
    assert_eq!(v["equilibrium"], false);
    // Discounted: A guesses x once, then matches for ever: (1 − γ)·2/3 + γ.
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "stochastic",
        "incomplete",
        &game,
        "--types",
        &types,
        "--gamma",
        "0.9",
        "--strategies",
        &strategies,
        "--format",
        "json",
    ]))
    .unwrap();
    assert!((v["power"][0][0].as_f64().unwrap() - (0.1 * 2.0 / 3.0 + 0.9)).abs() < 1e-6);
    assert_eq!(v["tolerance"], 1e-7);
    let table = ok(&["stochastic", "incomplete", &game, "--types", &types]);
    assert!(
        table.contains("Bayesian equilibrium") && table.contains("0.6667"),
        "{table}"
    );
    fails_with(
        &["stochastic", "incomplete", &game, "--types", &types, "--steps", "2"],
        &["--profile", "one-step"],
    );
    let bad = write_temp(
        "bad-strategies.json",
        br#"{"strategies": [[[["1/2", "1/3"]]], [[[1, 0]], [[0, 1]]]]}"#,
    );
    fails_with(
        &[
            "stochastic",
            "incomplete",
            &game,
            "--types",
            &types,
            "--strategies",
            &bad,
        ],
        &["strategies[0][0][0]", "probability distribution"],
    );
}

/// `stochastic random` writes a game the other commands read; the same seed
/// gives the same file, and an impossible request names the option.
#[test]
fn random_games_are_files_the_other_commands_read() {
    let args = ["stochastic", "random", "--states", "3", "--actions", "2", "--seed", "4"];
    let text = ok(&args);
    assert_eq!(text, ok(&args));
    let path = write_temp("random-game.json", text.as_bytes());
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "stochastic",
        "power",
        &path,
        "--rewards",
        "constant-sum",
        "-n",
        "10",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["states"], serde_json::json!(["s0", "s1", "s2"]));
    for t in v["total_power"].as_array().unwrap() {
        assert!((t["mean"].as_f64().unwrap() - 1.0).abs() < 1e-5);
    }
    fails_with(
        &["stochastic", "random", "--states", "2", "--successors", "3"],
        &["--successors", "distinct successors"],
    );
}
