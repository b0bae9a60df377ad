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
