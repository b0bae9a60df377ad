//! `powerseek visits`, `power --exact` and the new `retarget` subcommands from the command line.

mod common;
use common::*;

#[test]
fn visits_of_the_fork_are_exact() {
    let out = stdout(&powerseek(&[
        "visits",
        &example("fork.json"),
        "--gamma",
        "1/2",
        "--set",
        "1,2,3",
    ]));
    assert!(out.contains("13/40"), "{out}");
    assert!(
        out.contains("left vs right: more probably optimal: right; seeks POWER: right"),
        "{out}"
    );
    assert!(out.contains("set 0: P(optimal) = 27/40"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&powerseek(&[
        "visits",
        &example("fork.json"),
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(json["gamma"], "9/10");
    assert_eq!(json["distributions"].as_array().unwrap().len(), 4);
}

#[test]
fn exact_power_and_its_errors() {
    let out = stdout(&powerseek(&[
        "power",
        &example("fork.json"),
        "--exact",
        "--format",
        "csv",
    ]));
    assert!(out.lines().any(|l| l.starts_with("many,3/4,")), "{out}");
    let bad = powerseek(&["power", &example("fork.json"), "--exact", "--dist", "normal:0,1"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("exact POWER supports"));
    let bad = powerseek(&["power", &example("fork.json"), "--exact", "--samples", "10"]);
    assert!(!bad.status.success());
}

#[test]
fn retarget_check_mean_and_cycle() {
    let out = stdout(&powerseek(&[
        "retarget", "check", "--u", "10,5,0", "--a", "3", "--b", "1,2", "--n", "3",
    ]));
    assert!(out.contains("the distinctness clause decides"), "{out}");
    let out = stdout(&powerseek(&[
        "retarget",
        "check",
        "--u",
        "10,5,0",
        "--a",
        "3",
        "--b",
        "1,2",
        "--n",
        "3",
        "--no-distinct",
    ]));
    assert!(out.contains("is (A→B) 3-retargetable"), "{out}");
    let out = stdout(&powerseek(&[
        "retarget",
        "mean",
        "--u",
        "10,5,0",
        "--a",
        "3",
        "--b",
        "1,2",
        "--decision",
        "argmax",
    ]));
    assert!(out.contains("holds"), "{out}");
    let out = stdout(&powerseek(&[
        "retarget",
        "cycle",
        "--u",
        "1,2,3",
        "--set",
        "1",
        "--set",
        "2",
        "--set",
        "3",
        "--generators",
        "(1 2 3)",
    ]));
    assert!(out.contains("no cycle"), "argmax has none: {out}");
    let bad = powerseek(&[
        "retarget",
        "orbit",
        "--u",
        "1,2,3",
        "--a",
        "1",
        "--b",
        "2",
        "--generators",
        "(1 4)",
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a point in 1..3"));
}
