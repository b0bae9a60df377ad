//! Ctrl-C: every long command stops within a second of SIGINT with exit
//! status 130, prints no results and writes no output file. Requests over
//! the memory limit fail at once and say how to raise it.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A random 40×40 bimatrix game (vertex enumeration takes minutes).
fn big_game() -> PathBuf {
    let path = temp("big.json");
    let mut x: u64 = 7;
    let mut next = || {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((x >> 33) % 21) as i64 - 10
    };
    let names: Vec<String> = (0..40).map(|i| format!("\"a{i}\"")).collect();
    let rows: Vec<String> = (0..40)
        .map(|_| {
            let cells: Vec<String> = (0..40).map(|_| format!("[{}, {}]", next(), next())).collect();
            format!("[{}]", cells.join(", "))
        })
        .collect();
    let names = names.join(", ");
    let text = format!(
        "{{\"players\": [\"row\", \"column\"], \"actions\": [[{names}], [{names}]], \"payoffs\": [{}]}}",
        rows.join(", ")
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Run `args`, send SIGINT after `after`, and check how it ended.
fn interrupt(what: &str, args: &[&str], plot: Option<&Path>) {
    let after = Duration::from_millis(700);
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    assert!(
        child.try_wait().unwrap().is_none(),
        "{what}: finished before the interrupt"
    );
    let sent = Instant::now();
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{what}: {:?}, stderr: {stderr}",
        out.status
    );
    // Within a second in release builds; unoptimised builds get longer.
    let within = Duration::from_secs(if cfg!(debug_assertions) { 4 } else { 1 });
    assert!(took < within, "{what}: exited {took:?} after SIGINT");
    assert!(
        out.stdout.is_empty(),
        "{what}: printed {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains("interrupted"), "{what}: {stderr}");
    if let Some(p) = plot {
        assert!(!p.exists(), "{what}: wrote {}", p.display());
    }
}

#[test]
fn long_commands_stop_on_ctrl_c() {
    let grid = temp("open.grid");
    std::fs::write(&grid, (".".repeat(60) + "\n").repeat(60)).unwrap();
    let small = temp("small.grid");
    std::fs::write(&small, "...\n.#.\n...\n").unwrap();
    let game = big_game();
    let plot = temp("power.svg");
    let g = grid.to_str().unwrap();
    interrupt(
        "power",
        // Debug builds take seconds per default-sized batch of this grid.
        &[
            "power",
            g,
            "-n",
            "1000000000000",
            "--batch",
            "16",
            "--plot",
            plot.to_str().unwrap(),
        ],
        Some(&plot),
    );
    interrupt("game solve", &["game", "solve", game.to_str().unwrap(), "--all"], None);
    interrupt(
        "retarget orbit",
        &[
            "retarget",
            "orbit",
            "--u",
            "1,2,3,4,5,6,7,8,9,10,11,12",
            "--a",
            "1",
            "--b",
            "2,3",
        ],
        None,
    );
    interrupt(
        "retarget learned",
        &[
            "retarget",
            "learned",
            small.to_str().unwrap(),
            "--a",
            "right",
            "--b",
            "down",
            "--state",
            "(0,0)",
            "--agents",
            "10000000",
        ],
        None,
    );
    let moves = ["--a", "right", "--b", "down", "--state", "(0,0)"];
    let trained = [
        &["retarget", "trained", small.to_str().unwrap()][..],
        &moves,
        &["--samples", "10000000000"],
    ]
    .concat();
    interrupt("retarget trained", &trained, None);
    let compatible = [
        &["retarget", "compatible", small.to_str().unwrap()][..],
        &moves,
        &["--samples", "10000000000"],
    ]
    .concat();
    interrupt("retarget compatible", &compatible, None);
    interrupt(
        "experiment scarcity",
        &["experiment", "scarcity", "--games", "100000"],
        None,
    );
    interrupt(
        "conflict calibrate",
        &["conflict", "calibrate", "--replicates", "1000000", "--grid", "201"],
        None,
    );
    interrupt(
        "multi sweep",
        &["multi", "sweep", small.to_str().unwrap(), "--samples", "100000000"],
        None,
    );
}

#[test]
fn oversized_requests_fail_at_once_with_advice() {
    let dense = temp("dense.mdp");
    std::fs::write(&dense, "states: 99999\nactions: 3\nT: * uniform\n").unwrap();
    for args in [
        vec!["power", dense.to_str().unwrap()],
        vec!["conflict", "phase", "--grid", "1000000"],
        vec!["--memory-limit", "1M", "power", "../../examples/maze100.grid"],
        vec!["experiment", "scarcity", "--games", "100000000000000"],
        // 10^8 parameters fit under half of 24 GiB (about 7 GiB), not under 2 GiB.
        vec![
            "--memory-limit",
            "2G",
            "retarget",
            "orbit",
            "--u",
            "1,2,3",
            "--a",
            "1",
            "--b",
            "2",
            "--parameters",
            "100000000",
        ],
    ] {
        let started = Instant::now();
        let out = Command::new(bin()).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("over the memory limit of") && stderr.contains("(raise it with --memory-limit)"),
            "{args:?}: {stderr}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
    let bad = Command::new(bin())
        .args(["--memory-limit", "lots", "power", "x.grid"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--memory-limit"));
}
