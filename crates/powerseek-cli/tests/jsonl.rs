//! `powerseek game solve --format jsonl`: one JSON line per equilibrium,
//! then a summary line; the same equilibria and components as `--format json`.

mod common;
use common::*;

use std::collections::BTreeSet;

fn key(e: &serde_json::Value) -> String {
    e["strategies"].to_string()
}

#[test]
fn jsonl_streams_the_solution_then_a_summary() {
    for file in [
        "winkels.nfg",
        "catalog_dcg_vonstengel1999_6x6_game_with_75_eq.nfg",
        "2x2x2.nfg",
    ] {
        let path = gambit(file);
        let full: serde_json::Value =
            serde_json::from_str(&ok(&["game", "solve", &path, "--all", "--format", "json"])).unwrap();
        let text = ok(&["game", "solve", &path, "--all", "--format", "jsonl"]);
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let (summary, eqs) = lines.split_last().unwrap();
        let summary = &summary["summary"];
        assert_eq!(summary["method"], full["method"], "{file}");
        assert_eq!(summary["count"].as_u64().unwrap() as usize, eqs.len(), "{file}");
        assert_eq!(summary["complete"], true);
        let a: BTreeSet<String> = eqs.iter().map(key).collect();
        let b: BTreeSet<String> = full["equilibria"].as_array().unwrap().iter().map(key).collect();
        assert_eq!(a, b, "{file}");
        assert!(eqs
            .iter()
            .all(|e| e.get("max_regret").is_some() && e.get("summary").is_none()));
        // Components as sets of equilibria, whatever the order.
        let comps = |doc: &serde_json::Value, list: &[serde_json::Value]| -> BTreeSet<BTreeSet<String>> {
            doc["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    c.as_array()
                        .unwrap()
                        .iter()
                        .map(|i| key(&list[i.as_u64().unwrap() as usize]))
                        .collect()
                })
                .collect()
        };
        assert_eq!(
            comps(summary, eqs),
            comps(&full, full["equilibria"].as_array().unwrap()),
            "{file}"
        );
    }
}

#[test]
fn jsonl_for_a_bayesian_game() {
    let text = ok(&["game", "solve", &gambit("bayes1a.efg"), "--all", "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].get("behaviour").is_some());
    assert_eq!(lines[1]["summary"]["count"], 1);
    assert!(lines[1]["summary"].get("equilibria").is_none());
}
