//! The library's error type: every failure names what was wrong and where
//! (file and line for parse errors, field or state/action for invalid models).

use std::path::Path;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when loading a model or asking for a computation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read. The OS error is part of the message and not
    /// also a `source()`, so chained printing (`{:#}`) shows it once.
    #[error("{path}: {error}")]
    Io {
        /// The path as given (displayed with `Path::display`).
        path: String,
        /// The operating system's error (not found, permission denied, not UTF-8…).
        error: std::io::Error,
    },
    /// A file was read but its content is malformed at `line` (1-based; 0 when
    /// unknown, and then not shown).
    #[error("{}", if *.line == 0 { format!("{path}: {message}") } else { format!("{path}:{line}: {message}") })]
    Parse {
        /// The file's path, or the name the text was given (`<stdin>`, a
        /// model's name) when it did not come from a file.
        path: String,
        /// 1-based line of the fault; 0 when the format cannot say.
        line: usize,
        /// What is wrong there, in words (no position prefix).
        message: String,
    },
    /// A model (MDP, distribution, options) is well-formed text but violates a rule.
    #[error("{0}")]
    Invalid(String),
    /// A request would need more memory than the memory limit
    /// (`resources::memory_limit`) allows; `needed` is an estimate in bytes,
    /// `what` the sizes behind it.
    #[error(
        "this request needs about {} ({what}), over the memory limit of {}",
        format_bytes(*needed),
        format_bytes(*limit as f64)
    )]
    MemoryLimit {
        /// Estimated bytes the request would allocate (a float, so products
        /// of large counts cannot overflow; may be infinite).
        needed: f64,
        /// The limit in force, in bytes (`resources::memory_limit`).
        limit: u64,
        /// The sizes behind the estimate, e.g. `"99 999 states × 99 999 successors"`.
        what: String,
    },
    /// The caller asked a long computation to stop (see
    /// `progress::Progress::cancelled`); no partial result is returned.
    #[error("cancelled")]
    Cancelled,
}

/// `bytes` in binary units with one decimal: `"38.2 GiB"`, `"512.0 MiB"`.
pub(crate) fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut x = bytes;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{x:.0} bytes")
    } else if x >= 1e4 {
        format!("{x:.3e} {}", UNITS[unit])
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

impl Error {
    pub(crate) fn parse(path: &str, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }
}

/// Read a whole text file, mapping failures to [`Error::Io`] with the path.
/// A leading UTF-8 byte-order mark (written by some Windows editors) is
/// dropped here, so every format accepts it.
pub fn read_text(path: &Path) -> Result<String> {
    let mut text = std::fs::read_to_string(path).map_err(|error| Error::Io {
        path: path.display().to_string(),
        error,
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}
