//! What every end-to-end test of the `powerseek` binary needs: the binary,
//! the shipped examples and test games, a scratch folder, and runs that
//! expect success or a clean failure.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_powerseek")
}

/// The repository's `examples/` folder.
pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The path of `examples/<name>` as text.
pub fn example(name: &str) -> String {
    examples().join(name).display().to_string()
}

/// The path of one of the library's Gambit test games as text.
pub fn gambit(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../powerseek/tests/data/gambit")
        .join(name)
        .display()
        .to_string()
}

/// Run the binary with `args`.
pub fn powerseek(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().expect("binary runs")
}

/// A path called `name` in this test binary's own scratch folder.
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("powerseek-{}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Write `text` to a scratch file called `name` (bytes, so a BOM can be given).
pub fn write_temp(name: &str, text: &[u8]) -> String {
    let path = temp(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The standard output of a run that must have succeeded.
pub fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Run and expect success; returns (stdout, stderr).
pub fn succeeds(args: &[&str]) -> (String, String) {
    let out = powerseek(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?} failed: {err}");
    (String::from_utf8_lossy(&out.stdout).to_string(), err)
}

/// Run and expect success; returns stdout.
pub fn ok(args: &[&str]) -> String {
    succeeds(args).0
}

/// Run and expect exit status 2 with every `expected` piece in stderr, and no panic.
pub fn fails_with(args: &[&str], expected: &[&str]) {
    let out = powerseek(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?} should fail: {err}");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    for piece in expected {
        assert!(err.contains(piece), "{args:?}: expected '{piece}' in: {err}");
    }
}
