//! The `powerseek` binary end to end: outputs parse, plots are written, and
//! bad input fails with a clear message and a non-zero exit code.

mod common;
use common::*;

#[test]
fn json_output_is_complete_and_reproducible() {
    let fork = examples().join("fork.json");
    let run = || {
        powerseek(&[
            "power",
            fork.to_str().unwrap(),
            "-n",
            "2000",
            "--seed",
            "5",
            "--format",
            "json",
        ])
    };
    let (a, b) = (run(), run());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let states = doc["states"].as_array().unwrap();
    assert_eq!(states.len(), 7);
    let start = &states[0];
    assert_eq!(start["name"], "start");
    let p = start["power"]["mean"].as_f64().unwrap();
    assert!(p > 0.7 && p < 0.85, "{p}");
    let right = start["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "right")
        .unwrap();
    assert_eq!(right["seeks_power_over"], serde_json::json!(["left"]));
    // Same seed, same numbers (timings aside).
    let doc_b: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(doc["states"], doc_b["states"]);
}

#[test]
fn plots_are_written_for_grids_and_general_mdps() {
    for (env, out) in [("rooms.grid", "rooms.svg"), ("slippery.mdp", "slippery.png")] {
        let path = temp(out);
        let r = powerseek(&[
            "power",
            examples().join(env).to_str().unwrap(),
            "-n",
            "500",
            "--plot",
            path.to_str().unwrap(),
        ]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 1000);
        if out.ends_with(".svg") {
            let svg = String::from_utf8(bytes).unwrap();
            assert!(svg.contains("<svg") && svg.contains("POWER"));
        } else {
            assert_eq!(&bytes[..4], b"\x89PNG");
        }
    }
}

#[test]
fn csv_has_one_row_per_state() {
    let r = powerseek(&[
        "power",
        examples().join("slippery.mdp").to_str().unwrap(),
        "-n",
        "200",
        "--format",
        "csv",
    ]);
    assert!(r.status.success());
    let text = String::from_utf8(r.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 5);
    assert!(text.starts_with("state,power,se"));
}

#[test]
fn bad_input_fails_cleanly() {
    let bad_grid = temp("bad.grid");
    std::fs::write(&bad_grid, "...\n.x.\n").unwrap();
    let bad_json = temp("bad.json");
    std::fs::write(
        &bad_json,
        r#"{"states": ["a"], "transitions": {"a": {"go": {"a": 0.7}}}}"#,
    )
    .unwrap();
    let fork = examples().join("fork.json");
    let fork = fork.to_str().unwrap();
    let slippery = examples().join("slippery.mdp");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["power", bad_grid.to_str().unwrap()], "bad.grid:2:"),
        (vec!["power", bad_json.to_str().unwrap()], "sum to 0.7"),
        (vec!["power", "no/such/file.grid"], "no/such/file.grid"),
        (vec!["power", fork, "--gamma", "1.5"], "gamma = 1.5 is outside (0, 1)"),
        (vec!["power", fork, "--gamma", "NaN"], "outside (0, 1)"),
        (vec!["power", fork, "--dist", "beta:0,1"], "α and β must be positive"),
        (
            vec!["power", fork, "--dist", "poisson:3"],
            "unknown distribution 'poisson'",
        ),
        (vec!["power", fork, "--dist", "features:uniform"], "no state features"),
        (
            vec!["power", fork, "--plot", "x.pdf", "-n", "10"],
            "must end in .svg or .png",
        ),
        (vec!["power", fork, "-n", "1"], "at least 2 reward samples"),
        (vec!["power", fork, "--method", "pi", "--gamma", "0.9"], ""),
        (
            vec!["power", slippery.to_str().unwrap(), "--gamma", "1"],
            "deterministic MDPs",
        ),
    ];
    for (args, expected) in cases {
        let r = powerseek(&args);
        let stderr = String::from_utf8_lossy(&r.stderr);
        if expected.is_empty() {
            assert!(r.status.success(), "{args:?}: {stderr}");
            continue;
        }
        assert_eq!(r.status.code(), Some(2), "{args:?} should fail: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected '{expected}' in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn conflict_commands_run_and_reject_bad_scenarios() {
    let ex = examples();
    let little = ex.join("conflict-little-to-lose.toml");
    let r = powerseek(&["conflict", "simulate", little.to_str().unwrap(), "--format", "json"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let red = doc["initial"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"] == "red")
        .unwrap();
    assert_eq!(red["escalation_probability"], 1.0);

    let r = powerseek(&["conflict", "phase", "--grid", "11", "--contest-exponent", "0.5"]);
    assert!(r.status.success());
    assert_eq!(String::from_utf8(r.stdout).unwrap().lines().count(), 1 + 11 * 11);

    let obs = ex.join("conflict-observations.toml");
    let plot = temp("posterior.svg");
    let r = powerseek(&[
        "conflict",
        "infer",
        obs.to_str().unwrap(),
        "--format",
        "json",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let post: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let total: f64 = post["density"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));

    for (edit, expected) in [
        (
            ("preference = [1.0, 0.0]", "preference = [0.0, 0.0]"),
            "preference must be a finite non-zero vector",
        ),
        (("power = 1.0", "power = -1.0"), "power = -1"),
        (("cost = 0.4", "cost = 1.4"), "model.cost = 1.4"),
        (("cost = 0.4", "cost = \"high\""), "s.toml:"),
    ] {
        let text = std::fs::read_to_string(&little).unwrap().replace(edit.0, edit.1);
        let path = temp("s.toml");
        std::fs::write(&path, text).unwrap();
        let r = powerseek(&["conflict", "simulate", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{edit:?}");
        assert!(
            stderr.contains(expected) && stderr.contains("s.toml"),
            "{edit:?}: {stderr}"
        );
    }
}

fn game(name: &str) -> String {
    examples().join("games").join(name).to_str().unwrap().to_string()
}

fn solve_json(args: &[&str]) -> serde_json::Value {
    let r = powerseek(args);
    assert!(r.status.success(), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
    serde_json::from_slice(&r.stdout).unwrap()
}

/// The equilibria as a set of "p,q|r,s" strings.
fn eq_set(doc: &serde_json::Value, players: &[&str]) -> std::collections::BTreeSet<String> {
    let names = doc["players"].as_array().unwrap();
    doc["equilibria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            players
                .iter()
                .map(|p| {
                    let i = names.iter().position(|n| n == p).unwrap();
                    e["strategies"][i]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

#[test]
fn shipped_games_have_their_known_equilibria() {
    let cases: Vec<(&str, [&str; 2], Vec<&str>)> = vec![
        ("prisoners-dilemma.nfg", ["Row", "Column"], vec!["0,1|0,1"]),
        (
            "matching-pennies.nfg",
            ["Matcher", "Mismatcher"],
            vec!["1/2,1/2|1/2,1/2"],
        ),
        (
            "battle-of-the-sexes.nfg",
            ["Alice", "Bob"],
            vec!["1,0|1,0", "0,1|0,1", "3/5,2/5|2/5,3/5"],
        ),
        (
            "rock-paper-scissors.json",
            ["Alice", "Bob"],
            vec!["1/3,1/3,1/3|1/3,1/3,1/3"],
        ),
        (
            "degenerate.nfg",
            ["Row", "Column"],
            vec!["1,0,0|1,0", "1,0,0|3/4,1/4", "0,1,0|3/4,1/4", "0,1,0|0,1"],
        ),
    ];
    for (file, players, expected) in cases {
        let doc = solve_json(&["game", "solve", &game(file), "--all", "--format", "json"]);
        let expected: std::collections::BTreeSet<String> = expected.into_iter().map(String::from).collect();
        assert_eq!(eq_set(&doc, &players), expected, "{file}");
        for e in doc["equilibria"].as_array().unwrap() {
            assert_eq!(e["max_regret"], "0", "{file}");
        }
    }
    // The degenerate game's four extreme equilibria form one connected component.
    let doc = solve_json(&["game", "solve", &game("degenerate.nfg"), "--all", "--format", "json"]);
    assert_eq!(doc["components"].as_array().unwrap().len(), 1);
    // Zero-sum LP on Matching Pennies and RPS: value 0.
    for file in ["matching-pennies.nfg", "rock-paper-scissors.json"] {
        let doc = solve_json(&["game", "solve", &game(file), "--method", "lp", "--format", "json"]);
        assert!(doc["note"].as_str().unwrap().contains("value 0"), "{file}: {doc}");
    }
    // Three players, all equilibria: the poly method finds the two pure ones and the mixed one, exactly.
    let doc = solve_json(&["game", "solve", &game("three-player.nfg"), "--all", "--format", "json"]);
    assert_eq!(doc["equilibria"].as_array().unwrap().len(), 3);
    assert_eq!(doc["method"], "poly");
    // pure-logit: all pure equilibria, and one certified by the logit method
    // (here one of the pure ones).
    let doc = solve_json(&[
        "game",
        "solve",
        &game("three-player.nfg"),
        "--all",
        "--method",
        "pure-logit",
        "--format",
        "json",
    ]);
    assert_eq!(doc["equilibria"].as_array().unwrap().len(), 2);
    let doc = solve_json(&["game", "solve", &game("three-player.nfg"), "--format", "json"]);
    assert_eq!(doc["exact"], false);
    assert_eq!(doc["method"], "logit");
    // Exact values are "p/q" text, the logit profile's certificate included.
    let regret = doc["equilibria"][0]["max_regret"].as_str().unwrap();
    let value = match regret.split_once('/') {
        Some((p, q)) => p.parse::<f64>().unwrap() / q.parse::<f64>().unwrap(),
        None => regret.parse::<f64>().unwrap(),
    };
    assert!(value < 1e-9, "{regret}");
}

#[test]
fn game_commands_reject_options_that_do_nothing() {
    for args in [
        &["game", "solve", &game("matching-pennies.nfg"), "--format", "csv"][..],
        &["game", "align", &game("matching-pennies.nfg"), "--format", "csv"],
        &["game", "power", &game("matching-pennies.nfg"), "--format", "csv"],
        &["game", "power", &game("matching-pennies.nfg"), "--equilibria"],
    ] {
        let r = powerseek(args);
        assert_eq!(r.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&r.stderr).contains("panicked"), "{args:?}");
    }
    for method in ["logit", "lp"] {
        let r = powerseek(&[
            "game",
            "solve",
            &game("matching-pennies.nfg"),
            "--method",
            method,
            "--all",
        ]);
        assert_eq!(r.status.code(), Some(2), "{method}");
        assert!(
            String::from_utf8_lossy(&r.stderr).contains("finds one equilibrium"),
            "{method}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
}

#[test]
fn bayesian_game_solves_to_its_unique_equilibrium() {
    let doc = solve_json(&[
        "game",
        "solve",
        &game("bayesian-two-type.json"),
        "--all",
        "--format",
        "json",
    ]);
    assert_eq!(doc["equilibria"].as_array().unwrap().len(), 1);
    assert_eq!(doc["via"], "induced normal form");
    let e = &doc["equilibria"][0];
    // behaviour[player][type][action]: Player 1 of type 1G plays H, Player 2 of type 2b plays h, with 2/3.
    assert_eq!(doc["types"][0][0], "1G");
    assert_eq!(e["behaviour"][0][0][0], "2/3");
    assert_eq!(e["behaviour"][1][1][0], "2/3");
    assert_eq!(e["payoffs"][1], "23/6");
    assert_eq!(e["max_interim_regret"], "0");
}

#[test]
fn bayesian_solutions_say_why_the_default() {
    let file = game("bayesian-two-type.json");
    let doc = solve_json(&["game", "solve", &file, "--all", "--format", "json"]);
    let choice = doc["choice"].as_str().unwrap();
    assert!(
        choice.starts_with("the induced normal form is 4×4, at most 16 strategies per player"),
        "{choice}"
    );
    let asked = solve_json(&["game", "solve", &file, "--all", "--method", "enum", "--format", "json"]);
    assert!(asked["choice"].is_null(), "{}", asked["choice"]);
    assert_eq!(asked["equilibria"], doc["equilibria"]);
    let table = ok(&["game", "solve", &file, "--all"]);
    assert!(table.contains(&format!("\nchoice: {choice}\n")), "{table}");
    assert!(!ok(&["game", "solve", &file, "--all", "--method", "enum"]).contains("choice:"));
}

#[test]
fn games_convert_and_show() {
    let out = temp("pd.json");
    let r = powerseek(&["game", "convert", &game("prisoners-dilemma.nfg"), out.to_str().unwrap()]);
    assert!(r.status.success());
    let back = temp("pd-again.nfg");
    assert!(
        powerseek(&["game", "convert", out.to_str().unwrap(), back.to_str().unwrap()])
            .status
            .success()
    );
    let a = solve_json(&[
        "game",
        "solve",
        &game("prisoners-dilemma.nfg"),
        "--all",
        "--format",
        "json",
    ]);
    let b = solve_json(&["game", "solve", back.to_str().unwrap(), "--all", "--format", "json"]);
    assert_eq!(a["equilibria"], b["equilibria"]);
    let agent = temp("agent.nfg");
    assert!(powerseek(&[
        "game",
        "convert",
        &game("bayesian-two-type.json"),
        agent.to_str().unwrap(),
        "--form",
        "agent"
    ])
    .status
    .success());
    assert!(std::fs::read_to_string(&agent).unwrap().contains("\"Player 1:1G\""));
    // The header OpenSpiel reads: action counts, no names, no comment; the payoffs read back the same.
    let counts = temp("pd-counts.nfg");
    let r = powerseek(&[
        "game",
        "convert",
        &game("prisoners-dilemma.nfg"),
        counts.to_str().unwrap(),
        "--nfg-header",
        "counts",
    ]);
    assert!(r.status.success());
    let text = std::fs::read_to_string(&counts).unwrap();
    assert!(text.lines().next().unwrap().ends_with("{ 2 2 }"), "{text}");
    let c = solve_json(&["game", "solve", counts.to_str().unwrap(), "--all", "--format", "json"]);
    assert_eq!(a["equilibria"], c["equilibria"]);
    let shown = powerseek(&["game", "show", &game("prisoners-dilemma.nfg")]);
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("2, 2") && text.contains("0, 3") && text.contains("3, 0") && text.contains("1, 1"),
        "{text}"
    );
}

#[test]
fn bad_game_files_fail_cleanly() {
    let truncated = temp("truncated.nfg");
    std::fs::write(&truncated, "NFG 1 R \"t\" { \"a\" \"b\" } { 2 2 }\n1 2 3\n").unwrap();
    let word = temp("word.nfg");
    std::fs::write(&word, "NFG 1 R \"t\" { \"a\" \"b\" } { 2 2 }\n1 2 3 4\n5 x 7 8\n").unwrap();
    let json = temp("unknown.json");
    std::fs::write(
        &json,
        r#"{"players": ["a"], "actions": [["x"]], "payoffs": [[1]], "payofs": 1}"#,
    )
    .unwrap();
    for (path, expected) in [
        (truncated.to_str().unwrap(), "expected 8 payoffs"),
        (word.to_str().unwrap(), "word.nfg:3: a payoff: 'x' is not a number"),
        (json.to_str().unwrap(), "unknown field"),
    ] {
        let r = powerseek(&["game", "solve", path]);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{path}: {stderr}");
        assert!(
            stderr.contains(expected) && !stderr.contains("panicked"),
            "{path}: {stderr}"
        );
    }
    let r = powerseek(&["game", "solve", &game("three-player.nfg"), "--method", "enum"]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("needs a 2-player game"));
}

#[test]
fn game_power_and_align_report_the_seed_numbers() {
    let doc = solve_json(&["game", "power", &game("bayesian-two-type.json"), "--format", "json"]);
    let eq = &doc["profiles"][0];
    assert_eq!(doc["bayesian"], true);
    assert_eq!(eq["players"][0]["power"], "5");
    assert_eq!(eq["players"][1]["power"], "23/6");
    assert_eq!(eq["is_equilibrium"], true);
    let uniform = doc["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["label"] == "uniform")
        .unwrap();
    assert_eq!(uniform["players"][1]["power"], "21/4");
    assert_eq!(uniform["total_regret"], "17/8");

    let doc = solve_json(&["game", "power", &game("matching-pennies.nfg"), "--format", "json"]);
    assert_eq!(doc["bayesian"], false);
    assert_eq!(doc["constant_sum"], "0");
    let table = powerseek(&["game", "power", &game("matching-pennies.nfg")]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("(a Nash equilibrium)") && !text.contains("Bayesian"),
        "{text}"
    );
    assert_eq!(doc["profiles"][0]["total_power"], "0");

    let profile = temp("profile.json");
    std::fs::write(&profile, r#"{"Row": ["1", "0"], "Column": ["1/2", "1/2"]}"#).unwrap();
    let doc = solve_json(&[
        "game",
        "power",
        &game("prisoners-dilemma.nfg"),
        "--profile",
        profile.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // Row cooperates, Column mixes: Row's POWER = max(C: 1, D: 2) = 2; Column's = max(C: 2, D: 3) = 3.
    assert_eq!(doc["profiles"][0]["players"][0]["power"], "2");
    assert_eq!(doc["profiles"][0]["players"][1]["power"], "3");
    assert_eq!(doc["profiles"][0]["is_equilibrium"], false);

    for (file, alpha) in [("prisoners-dilemma.nfg", "-2"), ("matching-pennies.nfg", "-2")] {
        let doc = solve_json(&["game", "align", &game(file), "--format", "json"]);
        assert_eq!(doc["alpha"], alpha, "{file}");
    }
    let doc = solve_json(&["game", "align", &game("matching-pennies.nfg"), "--format", "json"]);
    assert_eq!(doc["constant_welfare"], true);
    let r = powerseek(&["game", "align", &game("prisoners-dilemma.nfg"), "--weights", "1,-1"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("positive"));
}

#[test]
fn scarcity_experiment_outputs_csv_json_and_a_plot() {
    let plot = temp("scarcity.svg");
    let args = [
        "experiment",
        "scarcity",
        "--games",
        "10",
        "--lambdas",
        "-1,0,1",
        "--seed",
        "3",
    ];
    let r = powerseek(&[&args[..], &["--format", "csv", "--plot", plot.to_str().unwrap()]].concat());
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let text = String::from_utf8(r.stdout).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(text.lines().nth(1).unwrap().starts_with("-1,10,"));
    assert!(std::fs::read_to_string(&plot).unwrap().contains("POWER"));
    let a = solve_json(&[&args[..], &["--format", "json"]].concat());
    let b = solve_json(&[&args[..], &["--format", "json", "--threads", "1"]].concat());
    assert_eq!(a["games"], b["games"]);
    assert_eq!(a["summaries"][0]["total_power"]["mean"], 0.0);
    let table = powerseek(&[&args[..], &["--format", "table"]].concat());
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("± its standard error"), "{text}");
    let r = powerseek(&["experiment", "scarcity", "--lambdas", "2"]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("outside [−1, 1]"));
}

#[test]
fn retarget_orbit_and_check() {
    let doc = solve_json(&[
        "retarget",
        "orbit",
        "--u",
        "10,5,0",
        "--a",
        "3",
        "--b",
        "1,2",
        "--decision",
        "argmax",
        "--format",
        "json",
    ]);
    assert_eq!(doc["results"][0]["b_more"], 4);
    assert_eq!(doc["results"][0]["a_more"], 2);
    assert_eq!(doc["results"][0]["holds"], true);
    let plot = temp("orbit.svg");
    let r = powerseek(&[
        "retarget",
        "orbit",
        "--u",
        "0.3,0.9,0.1,0.5",
        "--a",
        "1",
        "--b",
        "2,3",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(r.status.success());
    assert!(String::from_utf8(r.stdout)
        .unwrap()
        .contains("argmax                   12          6          6"));
    let r = powerseek(&[
        "retarget",
        "check",
        "--u",
        "1,2,3,4,5",
        "--a",
        "2",
        "--b",
        "1,3,4,5",
        "--n",
        "4",
    ]);
    assert!(String::from_utf8(r.stdout).unwrap().contains("is (A→B) 4-retargetable"));
    let r = powerseek(&["retarget", "orbit", "--u", "1,2", "--a", "3", "--b", "1"]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("not an outcome index in 1..2"));
    let r = powerseek(&[
        "retarget",
        "orbit",
        "--u",
        "1,2,3",
        "--a",
        "1",
        "--b",
        "2",
        "--decision",
        "softmax",
    ]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown decision-maker 'softmax'"));
}

#[test]
fn retarget_mdp_prefers_the_move_that_keeps_options_open() {
    let fork = examples().join("fork.json");
    let doc = solve_json(&[
        "retarget",
        "mdp",
        fork.to_str().unwrap(),
        "--a",
        "left",
        "--b",
        "right",
        "--format",
        "json",
    ]);
    assert_eq!(
        (doc["outcomes_a"].as_u64(), doc["outcomes_b"].as_u64()),
        (Some(1), Some(3))
    );
    for r in doc["worst_orbit"].as_array().unwrap() {
        assert_eq!(r["holds"], true, "{r}");
    }
    let r = powerseek(&["retarget", "mdp", fork.to_str().unwrap(), "--a", "jump", "--b", "right"]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown action 'jump'"));
}

#[test]
fn retarget_compatible_matches_the_shutdown_examples_closed_form() {
    let file = examples().join("shutdown.json");
    let doc = solve_json(&[
        "retarget",
        "compatible",
        file.to_str().unwrap(),
        "--a",
        "shutdown",
        "--b",
        "continue",
        "--observed",
        "train=right",
        "--samples",
        "4000",
        "--format",
        "json",
    ]);
    // docs/theory.md §7.3: (1 − γ)/2 + 3γ/4 at γ = 0.9, and acceptance 1/2.
    for (key, exact) in [("power_seeking", 0.725), ("acceptance", 0.5)] {
        let p = &doc[key];
        let (est, se) = (p["estimate"].as_f64().unwrap(), p["se"].as_f64().unwrap());
        assert!((est - exact).abs() < 4.0 * se, "{key}: {p}");
    }
    assert_eq!(doc["state"], "new", "the file's start state");
}

#[test]
fn retarget_trained_counts_learners_over_orbits() {
    let fork = examples().join("fork.json");
    let u = "0.3,0.1,0.9,0.5,0.2,0.8,0.4";
    let run = |extra: &[&str]| {
        let mut args = vec![
            "retarget",
            "trained",
            fork.to_str().unwrap(),
            "--a",
            "left",
            "--b",
            "right",
        ];
        args.extend_from_slice(&["--u", u, "--samples", "60", "--episodes", "100", "--format", "json"]);
        args.extend_from_slice(extra);
        solve_json(&args)
    };
    let doc = run(&["--learner", "linear"]);
    let o = &doc["orbits"][0];
    assert_eq!(o["total"], 60);
    assert_eq!(doc["training"]["learner"], "linear");
    assert_eq!(doc["training"]["episodes"], 100);
    assert!(o["ci95"][0].as_f64().unwrap() <= o["fraction"].as_f64().unwrap());
    assert_eq!(run(&["--learner", "linear"]), doc, "seeded");
    let r = powerseek(&[
        "retarget",
        "trained",
        fork.to_str().unwrap(),
        "--a",
        "left",
        "--b",
        "right",
        "--features",
        "3",
    ]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("only the linear learner"));
}

#[test]
fn retarget_learned_reports_a_confidence_interval() {
    let grid = examples().join("options.grid");
    let learned = |extra: &[&str]| {
        let mut args = vec![
            "retarget",
            "learned",
            grid.to_str().unwrap(),
            "--a",
            "left",
            "--b",
            "right",
        ];
        args.extend_from_slice(&["--agents", "200", "--format", "json"]);
        args.extend_from_slice(extra);
        solve_json(&args)
    };
    let doc = learned(&[]);
    let r = &doc["result"];
    assert_eq!(r["agents"], 200);
    assert!(r["ci95"][0].as_f64().unwrap() > 0.5, "{r}");
    assert_eq!(doc["result"], learned(&[])["result"], "seeded");
    let linear = learned(&["--learner", "linear"]);
    assert_eq!(linear["training"]["learner"], "linear");
    assert!(linear["result"]["ci95"][0].as_f64().unwrap() > 0.5, "{linear}");
    assert_ne!(linear["result"], doc["result"], "a different learner");
}

#[test]
fn multi_power_against_a_random_agent() {
    let grid = examples().join("powerplay3x3.grid");
    let plot = temp("multi.svg");
    let doc = solve_json(&[
        "multi",
        "power",
        grid.to_str().unwrap(),
        "--no-overlap",
        "-n",
        "300",
        "--format",
        "json",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert_eq!(doc["joint_states"], 72);
    // per_cell[agent][cell], cells named in "cells".
    let cells = doc["cells"].as_array().unwrap();
    let power = |name: &str, agent: usize| {
        let c = cells.iter().position(|c| c == name).unwrap();
        doc["per_cell"][agent][c].as_f64().unwrap()
    };
    for agent in [0, 1] {
        assert!(
            power("(1,1)", agent) > power("(0,0)", agent),
            "the centre keeps more options open"
        );
    }
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
    // Three agents: the focal agent against random others.
    let three = solve_json(&[
        "multi",
        "power",
        grid.to_str().unwrap(),
        "--agents",
        "3",
        "--focal",
        "2",
        "--no-overlap",
        "-n",
        "50",
        "--format",
        "json",
    ]);
    assert_eq!(three["joint_states"], 9 * 8 * 7);
    let r = powerseek(&["multi", "power", grid.to_str().unwrap(), "--focal", "2"]);
    assert!(!r.status.success(), "--focal only applies to more than two agents");
    assert!(String::from_utf8_lossy(&r.stderr).contains("--focal 2"));
}

#[test]
fn multi_power_reproduces_powerplay_reward_correlation_run() {
    // POWERplay's reward-correlation test: 3×3 with stay, simultaneous moves,
    // A's seed policy uniform, γ = 0.2, ρ = 0. POWERplay reported mean POWER
    // H 0.6523 and A 0.7866 over joint states (1 000 samples).
    let grid = examples().join("powerplay3x3.grid");
    let doc = solve_json(&[
        "multi",
        "power",
        grid.to_str().unwrap(),
        "--turns",
        "simultaneous",
        "--other",
        "powerplay",
        "--gamma",
        "0.2",
        "-n",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(doc["joint_states"], 81);
    for (agent, reference) in [(0, 0.6523), (1, 0.7866)] {
        let key = &doc["mean_power"][agent];
        let (mean, se) = (key["mean"].as_f64().unwrap(), key["se"].as_f64().unwrap());
        assert!(
            (mean - reference).abs() < 3.0 * se,
            "agent {agent}: {mean} ± {se} vs {reference}"
        );
    }
}

#[test]
fn multi_sweep_orders_total_power_by_correlation() {
    let grid = examples().join("powerplay3x3.grid");
    let plot = temp("sweep.svg");
    let heat = temp("sweep-heat.svg");
    let out = powerseek(&[
        "multi",
        "sweep",
        grid.to_str().unwrap(),
        "--turns",
        "simultaneous",
        "--other",
        "powerplay",
        "--rhos",
        "steps:5",
        "-n",
        "100",
        "--format",
        "csv",
        "--plot",
        plot.to_str().unwrap(),
        "--heatmaps",
        heat.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let totals: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(6).unwrap().parse().unwrap())
        .collect();
    assert_eq!(totals.len(), 5);
    assert!(totals.windows(2).all(|w| w[0] < w[1]), "{totals:?}");
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
    for rho in ["-1", "1"] {
        let file = heat.with_file_name(format!("sweep-heat-rho={rho}.svg"));
        assert!(
            std::fs::read_to_string(&file).unwrap().contains("<svg"),
            "{}",
            file.display()
        );
    }
    for (args, message) in [
        (vec!["--rhos", "0,2"], "outside"),
        (vec!["--other", "wise"], "expected random"),
        (vec!["--other", "fixed"], "--seed-policy"),
        (vec!["--agents", "3"], "two agents"),
        (vec!["--other-at", "(7,7)"], "not a cell"),
    ] {
        let mut all = vec!["multi", "sweep", grid.to_str().unwrap(), "-n", "10"];
        all.extend(args);
        let r = powerseek(&all);
        assert!(!r.status.success());
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(message), "{err}");
    }
}

#[test]
fn malformed_inputs_fail_naming_file_and_line() {
    let redeclared = write_temp(
        "redeclared.mdp",
        b"states: 2\nactions: 1\nT: 0 : 0 : 1 1\nT: 0 : 1 : 1 1\nstates: 3\n",
    );
    fails_with(
        &["power", &redeclared],
        &[&format!("{redeclared}:5: 'states:' is declared a second time")],
    );
    let start = write_temp("start.mdp", b"states: 3\nactions: 1\nstart: 0.5 0.5\nT: 0 identity\n");
    fails_with(
        &["power", &start],
        &[&format!(
            "{start}:3: start: expected 3 probabilities (one per state), got 2"
        )],
    );
    let dup = write_temp(
        "dup.json",
        b"{\"states\": [\"a\"],\n \"states\": [\"b\"],\n \"transitions\": {\"a\": {\"x\": \"a\"}}}",
    );
    fails_with(
        &["power", &dup],
        &[&format!("{dup}:2: duplicate key \"states\" (first given at line 1)")],
    );
    let dup_action = write_temp(
        "dup-action.json",
        b"{\"states\": [\"a\", \"b\"],\n \"transitions\": {\"a\": {\"x\": \"a\",\n \"x\": \"b\"}, \"b\": {\"x\": \"b\"}}}",
    );
    fails_with(
        &["power", &dup_action],
        &[&format!("{dup_action}:3: duplicate key \"x\"")],
    );
    let unknown = write_temp(
        "unknown.json",
        b"{\"states\": [\"a\"],\n \"transitions\": {\"a\": {\"x\": \"a\"}},\n \"zz\": 1}",
    );
    fails_with(
        &["power", &unknown],
        &[&format!("{unknown}:3: field 'zz': unknown field")],
    );
    let missing = temp("no-such-file.mdp");
    let out = powerseek(&["power", missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(err.matches("os error 2").count(), 1, "the OS error once: {err}");
    // Games: repeated keys, huge exponents (quickly), duplicate player names in a profile.
    let dup_game = write_temp(
        "dup-game.json",
        b"{\"players\": [\"a\"], \"actions\": [[\"x\"]],\n \"payoffs\": [[1]],\n \"payoffs\": [[2]]}",
    );
    fails_with(
        &["game", "show", &dup_game],
        &[&format!("{dup_game}:3: duplicate key \"payoffs\"")],
    );
    let started = std::time::Instant::now();
    let huge = write_temp("huge.nfg", b"NFG 1 R \"t\" { \"Row\" }\n{ { \"C\" } }\n1e10000000\n");
    fails_with(
        &["game", "show", &huge],
        &[&format!("{huge}:3: "), "'1e10000000' has an exponent beyond ±4000"],
    );
    let tiny = write_temp("tiny.nfg", b"NFG 1 R \"t\" { \"Row\" }\n{ { \"C\" } }\n1e-2147483648\n");
    fails_with(&["game", "show", &tiny], &["exponent beyond ±4000"]);
    let digits = write_temp(
        "digits.nfg",
        format!(
            "NFG 1 R \"t\" {{ \"Row\" }}\n{{ {{ \"C\" }} }}\n{}\n",
            "7".repeat(1_000_000)
        )
        .as_bytes(),
    );
    fails_with(&["game", "show", &digits], &["has more than 10000 digits"]);
    assert!(
        started.elapsed().as_secs() < 20,
        "number limits are checked before arithmetic"
    );
    let twins = write_temp(
        "twins.nfg",
        b"NFG 1 R \"t\" { \"A\" \"A\" }\n{ { \"C\" \"D\" }\n{ \"C\" \"D\" }\n}\n2 2 3 0 0 3 1 1\n",
    );
    let profile = write_temp("twins-profile.json", b"{\"A\": [1, 0]}");
    fails_with(
        &["game", "power", &twins, "--profile", &profile],
        &["several players named 'A'", "ambiguous"],
    );
    let pd = game("prisoners-dilemma.nfg");
    let typo = write_temp("typo-profile.json", b"{\"Row\": [1, 0],\n \"Colum\": [1, 0]}");
    fails_with(
        &["game", "power", &pd, "--profile", &typo],
        &[&format!("{typo}:2: field 'Colum': unknown field")],
    );
}

#[test]
fn requests_that_cannot_be_met_are_errors() {
    let fork = examples().join("fork.json");
    let fork = fork.to_str().unwrap();
    fails_with(
        &["power", fork, "-n", "1", "--antithetic"],
        &["at least 2", "antithetic"],
    );
    fails_with(&["power", fork, "-n", "0"], &["at least 2"]);
    fails_with(&["power", fork, "--max-samples", "5"], &["--target-se"]);
    fails_with(
        &["power", fork, "--rows", "5", "--format", "json"],
        &["--rows only applies to the table format"],
    );
    fails_with(
        &["power", fork, "--target-se", "0.01", "--max-samples", "0"],
        &["--max-samples: 0; a standard error needs at least 2"],
    );
    fails_with(&["power", fork, "--dist", "uniform:-1e308,1e308"], &["beyond ±1e300"]);
    fails_with(
        &["power", fork, "--dist", "uniform:0,1e299", "-g", "0.999"],
        &["would overflow"],
    );
    fails_with(
        &[
            "retarget",
            "orbit",
            "--u",
            "0.1,0.5,0.9",
            "--a",
            "3",
            "--b",
            "1,2",
            "--samples",
            "0",
        ],
        &["at least 1"],
    );
    fails_with(
        &["retarget", "orbit", "--u", "0.1,0.5,0.9", "--a", "3", "--b", "1,1"],
        &["outcome set B", "twice"],
    );
    fails_with(
        &["conflict", "calibrate", "--replicates", "0"],
        &["--replicates: calibration needs at least 1 replicate"],
    );
    fails_with(
        &[
            "game",
            "solve",
            &game("prisoners-dilemma.nfg"),
            "--method",
            "logit",
            "--all",
        ],
        &["logit"],
    );
    // A target standard error the sample limit cannot reach is reported.
    let (table, _) = succeeds(&["power", fork, "--target-se", "0.0001", "--max-samples", "2000"]);
    assert!(table.contains("target standard error 0.0001: NOT reached"), "{table}");
    let (json, _) = succeeds(&[
        "power",
        fork,
        "--target-se",
        "0.0001",
        "--max-samples",
        "2000",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["target_reached"], false);
    assert_eq!(doc["samples"], 2000);
    let (json, _) = succeeds(&["power", fork, "--target-se", "0.05", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["target_reached"], true);
    // A huge contest exponent gives numbers, not NaN treated as "does not escalate".
    let scenario = write_temp(
        "steep.toml",
        b"[model]\ncost = 0.1\ncontest_exponent = 1000.0\n[[agent]]\nname = \"big\"\npreference = [-1.0, 0.0]\npower = 10.0\n[[agent]]\nname = \"small\"\npreference = [1.0, 0.0]\npower = 5.0\n",
    );
    let (json, _) = succeeds(&["conflict", "simulate", &scenario, "--format", "json"]);
    assert!(!json.contains("null") && !json.contains("NaN"), "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["initial"][0]["escalation_probability"], 1.0, "{json}");
}

#[test]
fn long_fields_do_not_break_tables() {
    let long = "s".repeat(70_000);
    let mdp = write_temp(
        "long.mdp",
        format!("states: {long} b\nactions: x\nT: x : {long} : b 1\nT: x : b : b 1\n").as_bytes(),
    );
    let (table, _) = succeeds(&["power", &mdp, "-n", "10"]);
    assert!(
        table.contains("sss…") && table.lines().all(|l| l.chars().count() < 400),
        "cut with an ellipsis"
    );
    let (csv, _) = succeeds(&["power", &mdp, "-n", "10", "--format", "csv"]);
    assert!(csv.contains(&long), "CSV keeps the full name");
    let name = "C".repeat(70_000);
    let nfg = write_temp(
        "long.nfg",
        format!("NFG 1 R \"t\" {{ \"Row\" \"Column\" }}\n{{ {{ \"{name}\" \"D\" }}\n{{ \"C\" \"D\" }}\n}}\n{} 2 3 0 0 3 1 1\n", "9".repeat(9_000))
            .as_bytes(),
    );
    let (table, _) = succeeds(&["game", "show", &nfg]);
    assert!(
        table.contains("CCC…") && table.contains("999…"),
        "{}",
        &table[..200.min(table.len())]
    );
    // A deep .efg chain (Gambit's own limit is near 10 000) is read without overflowing the stack.
    let mut efg = String::from("EFG 2 R \"chain\" { \"P\" }\n\"\"\n");
    for _ in 0..20_000 {
        efg.push_str("c \"\" 1 \"\" { \"x\" 1 } 0\n");
    }
    efg.push_str("p \"\" 1 1 \"\" { \"a\" \"b\" } 0\nt \"\" 1 \"\" { 1 }\nt \"\" 2 \"\" { 2 }\n");
    let efg = write_temp("deep.efg", efg.as_bytes());
    succeeds(&["game", "show", &efg]);
}

#[test]
fn files_other_tools_write_are_read() {
    // pomdp-solve accepts rows within 1e-5 of 1: renormalised, with one note.
    let third = write_temp(
        "third.mdp",
        b"states: 3\nactions: 1\nT: 0\n0.333333 0.333333 0.333333\n0.333333 0.333333 0.333333\n0 0 1\n",
    );
    let (_, err) = succeeds(&["power", &third, "-n", "10"]);
    assert_eq!(err.matches("note:").count(), 1, "{err}");
    assert!(
        err.contains(&format!("note: {third}:3: 2 transition rows")) && err.contains("renormalised"),
        "{err}"
    );
    let uniform = write_temp("uniform.mdp", b"states: 3\nactions: 1\nstart: uniform\nT: 0 identity\n");
    succeeds(&["power", &uniform, "-n", "10"]);
    // A UTF-8 byte-order mark is accepted by every format.
    let bom = |name: &str, text: &[u8]| write_temp(name, &[b"\xef\xbb\xbf".as_slice(), text].concat());
    let fork = std::fs::read(examples().join("fork.json")).unwrap();
    succeeds(&[
        "power",
        &bom("bom.mdp", b"states: 2\nactions: 1\nT: 0 identity\n"),
        "-n",
        "10",
    ]);
    succeeds(&["power", &bom("bom.json", &fork), "-n", "10"]);
    succeeds(&[
        "power",
        &bom("bom.grid", &std::fs::read(examples().join("options.grid")).unwrap()),
        "-n",
        "10",
    ]);
    succeeds(&[
        "game",
        "show",
        &bom("bom.nfg", &std::fs::read(game("prisoners-dilemma.nfg")).unwrap()),
    ]);
    succeeds(&[
        "game",
        "show",
        &bom(
            "bom-game.json",
            &std::fs::read(game("rock-paper-scissors.json")).unwrap(),
        ),
    ]);
    let scenario = std::fs::read(examples().join("conflict-little-to-lose.toml")).unwrap();
    succeeds(&["conflict", "simulate", &bom("bom.toml", &scenario)]);
    // JSON numbers in games are exact.
    let exact = write_temp(
        "exact.json",
        b"{\"players\": [\"a\", \"b\"], \"actions\": [[\"x\"], [\"y\"]],\n \"payoffs\": [[[18446744073709551617, 0.1000000000000000000001]]]}",
    );
    let (table, _) = succeeds(&["game", "show", &exact]);
    assert!(
        table.contains("18446744073709551617, 1000000000000000000001/10000000000000000000000"),
        "{table}"
    );
}

#[test]
fn negative_values_reach_the_library() {
    // Options whose values can be negative accept them; out-of-range ones get
    // the library's message, not clap's "unexpected argument".
    let fork = examples().join("fork.json");
    let grid = examples().join("powerplay3x3.grid");
    let (fork, grid) = (fork.to_str().unwrap(), grid.to_str().unwrap());
    let ok = |args: &[&str]| {
        let r = powerseek(args);
        assert!(r.status.success(), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
    };
    let fails = |args: &[&str], expected: &str| {
        let r = powerseek(args);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: expected '{expected}' in {stderr}");
    };
    ok(&["multi", "sweep", grid, "--rhos", "-1,1", "-n", "5"]);
    ok(&["multi", "power", grid, "--rho", "-0.5", "-n", "5"]);
    ok(&["multi", "power", grid, "--interval", "-1,1", "-n", "5"]);
    ok(&["retarget", "orbit", "--u", "-1,-2,3", "--a", "1", "--b", "2,3"]);
    ok(&[
        "conflict",
        "infer",
        "--truth",
        "-0.4,0.2",
        "--episodes",
        "5",
        "--grid",
        "5",
    ]);
    fails(
        &["power", fork, "-g", "-0.5", "-n", "10"],
        "gamma = -0.5 is outside (0, 1)",
    );
    let bos = examples().join("games/battle-of-the-sexes.nfg");
    fails(
        &["game", "align", bos.to_str().unwrap(), "--weights", "-1,1"],
        "welfare weights: need 2 positive numbers",
    );
    fails(
        &["power", fork, "--gamma", "-0.5", "-n", "10"],
        "gamma = -0.5 is outside (0, 1)",
    );
    fails(
        &["multi", "power", grid, "-g", "-0.5", "-n", "5"],
        "gamma = -0.5 is outside (0, 1)",
    );
    fails(
        &["multi", "power", grid, "--rho", "-1.5", "-n", "5"],
        "ρ = -1.5 is outside",
    );
    fails(
        &["multi", "power", grid, "--noise", "-0.1", "-n", "5"],
        "noise in [0, 1]",
    );
    fails(
        &["retarget", "mdp", fork, "--a", "left", "--b", "right", "-g", "-0.5"],
        "gamma = -0.5 is outside",
    );
    fails(
        &[
            "retarget",
            "learned",
            fork,
            "--a",
            "left",
            "--b",
            "right",
            "--epsilon",
            "-1",
        ],
        "epsilon must be in [0, 1]",
    );
    fails(&["conflict", "phase", "--ratio", "-1"], "--ratio -1: the power ratio");
    fails(&["conflict", "phase", "--temperature", "-1"], "temperature = -1");
    fails(
        &["conflict", "infer", "--truth", "-2,0.5"],
        "alignment must be in [−1, 1]",
    );
}

#[test]
fn commands_accept_only_the_formats_they_write() {
    let fork = examples().join("fork.json");
    let grid = examples().join("powerplay3x3.grid");
    let scenario = examples().join("conflict-little-to-lose.toml");
    let (fork, grid, scenario) = (
        fork.to_str().unwrap(),
        grid.to_str().unwrap(),
        scenario.to_str().unwrap(),
    );
    for (args, bad) in [
        (vec!["retarget", "orbit", "--u", "1,2,3", "--a", "1", "--b", "2"], "csv"),
        (vec!["retarget", "check", "--u", "1,2,3", "--a", "1", "--b", "2"], "csv"),
        (vec!["retarget", "mdp", fork, "--a", "left", "--b", "right"], "csv"),
        (vec!["retarget", "learned", fork, "--a", "left", "--b", "right"], "csv"),
        (vec!["conflict", "simulate", scenario], "csv"),
        (vec!["conflict", "infer", "--truth", "0,0"], "csv"),
        (vec!["conflict", "phase"], "table"),
    ] {
        let mut all = args.clone();
        all.extend(["--format", bad]);
        let r = powerseek(&all);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(!r.status.success(), "{all:?} should be rejected");
        assert!(stderr.contains(&format!("invalid value '{bad}'")), "{all:?}: {stderr}");
    }
    // What they do write still works.
    for args in [
        vec!["power", fork, "-n", "10", "--format", "csv"],
        vec!["multi", "power", grid, "-n", "5", "--format", "csv"],
        vec!["conflict", "phase", "--grid", "3", "--format", "json"],
        vec![
            "conflict",
            "calibrate",
            "--replicates",
            "2",
            "--grid",
            "5",
            "--format",
            "json",
        ],
    ] {
        let r = powerseek(&args);
        assert!(r.status.success(), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
    }
}

#[test]
fn retarget_pomdp_over_memoryless_policies() {
    let tiger = examples().join("tiger.pomdp");
    let tiger = tiger.to_str().unwrap();
    let args = ["retarget", "pomdp", tiger, "--a", "open-left", "--b", "listen"];
    let out = powerseek(&[&args[..], &["--policies", "memoryless", "--format", "json"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["policies"], "memoryless");
    assert!(doc["horizon"].is_null());
    assert!(doc["outcomes_b"].as_u64().unwrap() >= 1);
    let table = powerseek(&[&args[..], &["--policies", "memoryless"]].concat());
    assert!(String::from_utf8_lossy(&table.stdout).contains("memoryless-policy outcomes"));
    let trees = powerseek(&[&args[..], &["--format", "json"]].concat());
    let doc: serde_json::Value = serde_json::from_slice(&trees.stdout).unwrap();
    assert_eq!(
        (doc["policies"].as_str(), doc["horizon"].as_u64()),
        (Some("trees"), Some(2))
    );
    let out = powerseek(&[&args[..], &["--policies", "memoryless", "--horizon", "3"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("memoryless policies have no horizon"));
    let out = powerseek(&[&args[..], &["--policies", "memoryless", "-g", "1"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(0, 1)"));
}

#[test]
fn pomdp_power_runs_and_names_bad_lines() {
    let tiger = examples().join("tiger.pomdp");
    let out = powerseek(&[
        "pomdp",
        "power",
        tiger.to_str().unwrap(),
        "--horizon",
        "3",
        "-n",
        "20",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["exact"], true);
    assert_eq!(doc["first_actions"].as_array().unwrap().len(), 3);
    let table = powerseek(&["pomdp", "power", tiger.to_str().unwrap(), "-g", "0.8", "-n", "5"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("POWER lower bound") && text.contains("POWER upper bound"),
        "{text}"
    );
    let bad = temp("bad.pomdp");
    let text = std::fs::read_to_string(&tiger)
        .unwrap()
        .replace("0.85 0.15\n", "0.85 0.25\n");
    std::fs::write(&bad, text).unwrap();
    let out = powerseek(&["pomdp", "power", bad.to_str().unwrap(), "--horizon", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.pomdp:25:") && err.contains("observation probabilities sum to 1.1"),
        "{err}"
    );
}
