//! The memory budget: requests whose size the input decides (state counts,
//! grids, sample or game counts) estimate the memory they need before
//! allocating it and fail fast with [`Error::MemoryLimit`] when the estimate
//! is over [`memory_limit`], instead of exhausting the machine.
//!
//! The limit is process-wide: by default half of physical memory (read from
//! `/proc/meminfo`; 8 GiB when that is unavailable), changed with
//! [`set_memory_limit`]. Estimates are rough (within a factor of about two)
//! and only requests the size of a large fraction of memory are refused.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// 0: not set, use [`default_memory_limit`].
static LIMIT: AtomicU64 = AtomicU64::new(0);

/// Physical memory in bytes (`MemTotal` of `/proc/meminfo`), if known.
pub fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Half of physical memory, or 8 GiB when physical memory is unknown.
pub fn default_memory_limit() -> u64 {
    physical_memory().map_or(8 << 30, |m| m / 2)
}

/// The memory limit in bytes that requests are checked against.
pub fn memory_limit() -> u64 {
    match LIMIT.load(Ordering::Relaxed) {
        0 => default_memory_limit(),
        n => n,
    }
}

/// Set the process-wide memory limit in bytes; `None` restores the default.
pub fn set_memory_limit(bytes: Option<u64>) {
    LIMIT.store(bytes.map_or(0, |b| b.max(1)), Ordering::Relaxed);
}

/// Fail with [`Error::MemoryLimit`] when `bytes` (an estimate; a float, so
/// that products of large counts cannot overflow) is over the limit. `what`
/// describes the request's size, e.g. `"99 999 states × 99 999 successors"`.
pub fn check(bytes: f64, what: impl FnOnce() -> String) -> Result<()> {
    let limit = memory_limit();
    if bytes > limit as f64 || bytes.is_nan() {
        return Err(Error::MemoryLimit {
            needed: bytes,
            limit,
            what: what(),
        });
    }
    Ok(())
}

/// Bytes per state, state-action and stored transition while an MDP is
/// loaded (names, the builder's records and the frozen rows coexist).
pub(crate) const STATE_BYTES: f64 = 128.0;
pub(crate) const STATE_ACTION_BYTES: f64 = 48.0;
pub(crate) const TRANSITION_BYTES: f64 = 32.0;

/// Check the memory of loading an MDP of these sizes from `origin`, plus
/// `extra` bytes of the format's own structures.
pub(crate) fn check_mdp(origin: &str, states: f64, state_actions: f64, transitions: f64, extra: f64) -> Result<()> {
    let bytes = states * STATE_BYTES + state_actions * STATE_ACTION_BYTES + transitions * TRANSITION_BYTES + extra;
    check(bytes, || {
        let sizes: Vec<String> = [
            (states, "states"),
            (state_actions, "state-actions"),
            (transitions, "transitions"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0.0)
        .map(|(n, what)| format!("{} {what}", format_count(*n)))
        .collect();
        format!("{origin}: {}", sizes.join(", "))
    })
}

/// A count with its thousands grouped by spaces: `99 999`, `1 000 000`; very
/// large values (from floats) as `1e14`.
pub fn format_count(n: f64) -> String {
    if n.is_nan() || n.abs() >= 1e15 {
        return format!("{n:.3e}");
    }
    let digits = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    if n < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// Parse a size: a number of bytes with an optional unit `K`, `M`, `G`, `T`
/// (powers of 1024; `KB`, `KiB`, `GB`, `GiB` … mean the same), e.g. `4G`,
/// `512M`, `1.5GiB`, `1000000`.
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        _ => {
            return Err(Error::invalid(format!(
                "size '{text}': unknown unit (expected K, M, G or T)"
            )))
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| Error::invalid(format!("size '{text}': expected a number such as 4G or 512M")))?;
    let bytes = value * scale as f64;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(Error::invalid(format!("size '{text}' must be at least one byte")));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("4G").unwrap(), 4 << 30);
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("4X").is_err() && parse_size("").is_err() && parse_size("0").is_err());
        let message = |needed: f64| {
            Error::MemoryLimit {
                needed,
                limit: 12 << 30,
                what: "sizes".into(),
            }
            .to_string()
        };
        assert_eq!(
            message(38.2 * (1u64 << 30) as f64),
            "this request needs about 38.2 GiB (sizes), over the memory limit of 12.0 GiB"
        );
        assert!(message(100.0).contains("about 100 bytes"));
        assert_eq!(format_count(99_999.0), "99 999");
        assert_eq!(format_count(1_000_000.0), "1 000 000");
        assert_eq!(format_count(12.0), "12");
    }

    #[test]
    fn limit_is_physical_memory_halved_by_default() {
        if let Some(m) = physical_memory() {
            assert_eq!(default_memory_limit(), m / 2);
        }
        assert!(check(1.0, String::new).is_ok());
        let e = check(1e30, || "many states".into()).unwrap_err().to_string();
        assert!(e.contains("many states") && e.contains("over the memory limit"), "{e}");
    }
}
