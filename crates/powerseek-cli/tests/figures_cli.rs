//! The pictures' commands end to end: `power --gamma LIST` (table, JSON, CSV,
//! picture, errors), the orbit's win/tie/loss shares, `game align --plot`,
//! and the `--other-at` heatmap's title.

mod common;
use common::*;

#[test]
fn power_against_gamma_in_every_format() {
    let fork = examples().join("fork.json");
    let fork = fork.to_str().unwrap();
    let plot = temp("fork-gamma.svg");
    let json = ok(&[
        "power",
        fork,
        "--gamma",
        "0:1:3",
        "-n",
        "500",
        "--format",
        "json",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let horizons: Vec<&str> = doc["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["horizon"].as_str().unwrap())
        .collect();
    assert_eq!(horizons, ["0 (limit)", "0.5", "1 (limit)"]);
    assert_eq!(doc["states"], serde_json::json!(["start", "one", "many"]));
    // The point at γ = 0.5 is the single-γ estimate with the same seed.
    let single: serde_json::Value =
        serde_json::from_str(&ok(&["power", fork, "--gamma", "0.5", "-n", "500", "--format", "json"])).unwrap();
    assert_eq!(doc["points"][1]["states"][0]["power"], single["states"][0]["power"]);
    let svg = std::fs::read_to_string(&plot).unwrap();
    for text in [
        "discount rate γ",
        "POWER against γ",
        "P(optimal), ties split",
        "start: right",
    ] {
        assert!(svg.contains(text), "{text}");
    }
    let table = ok(&["power", fork, "--gamma", "0.2,0.9", "--states", "start", "-n", "200"]);
    assert!(table.contains("P(optimal) at start (ties split)"), "{table}");
    let csv = ok(&["power", fork, "--gamma", "0.2,0.9", "-n", "200", "--format", "csv"]);
    assert!(csv.starts_with("gamma,state,action,power,se,optimal_share,ci95_low,ci95_high"));
    fails_with(&["power", fork, "--gamma", "0.9,0.5"], &["increase"]);
    fails_with(&["power", fork, "--gamma", "0:1:1"], &["2..="]);
    fails_with(
        &["power", fork, "--gamma", "0.5", "--states", "start"],
        &["--states only applies"],
    );
    fails_with(
        &["power", fork, "--gamma", "0.1,0.5", "--states", "nowhere"],
        &["'nowhere' is not a state"],
    );
}

#[test]
fn orbit_reports_and_draws_wins_ties_and_losses() {
    let plot = temp("orbit.svg");
    let json = ok(&[
        "retarget",
        "orbit",
        "--u",
        "0.3,0.9,0.1,0.5",
        "--a",
        "1",
        "--b",
        "2,3",
        "--decision",
        "argmax",
        "--format",
        "json",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row = &doc["results"][0];
    // 12 wins, 6 ties, 6 losses of 24.
    assert_eq!(
        row["shares"],
        serde_json::json!({"wins": 0.5, "ties": 0.25, "losses": 0.25})
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    for text in [
        "p(B) &gt; p(A)",
        "p(B) = p(A)",
        "p(B) &lt; p(A)",
        "share of the orbit",
        "25.0%",
    ] {
        assert!(svg.contains(text), "{text}");
    }
}

#[test]
fn game_align_draws_the_payoff_region_of_two_player_games_only() {
    let plot = temp("pd.svg");
    let pd = examples().join("games/prisoners-dilemma.nfg");
    ok(&["game", "align", pd.to_str().unwrap(), "--plot", plot.to_str().unwrap()]);
    let svg = std::fs::read_to_string(&plot).unwrap();
    for text in [
        "Pareto frontier",
        "threat point",
        "Nash bargaining",
        "Row&apos;s payoff",
    ] {
        assert!(svg.contains(text), "{text}");
    }
    let three = examples().join("games/three-player.nfg");
    fails_with(
        &[
            "game",
            "align",
            three.to_str().unwrap(),
            "--plot",
            temp("3.svg").to_str().unwrap(),
        ],
        &["two-player games"],
    );
}

#[test]
fn other_at_heatmaps_say_where_the_other_agent_is() {
    let plot = temp("other-at.svg");
    let grid = examples().join("powerplay3x3.grid");
    ok(&[
        "multi",
        "power",
        grid.to_str().unwrap(),
        "--turns",
        "simultaneous",
        "--other",
        "powerplay",
        "--other-at",
        "(1,1)",
        "-n",
        "50",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(
        svg.contains("H&apos;s POWER (A at (1,1), ρ = 0)"),
        "title names A's cell"
    );
    assert!(svg.contains("the other agent&apos;s cell"), "the marker is explained");
}
