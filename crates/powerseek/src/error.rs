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
    Io { path: String, error: std::io::Error },
    /// A file was read but its content is malformed at `line` (1-based; 0 when
    /// unknown, and then not shown).
    #[error("{}", if *.line == 0 { format!("{path}: {message}") } else { format!("{path}:{line}: {message}") })]
    Parse { path: String, line: usize, message: String },
    /// A model (MDP, distribution, options) is well-formed text but violates a rule.
    #[error("{0}")]
    Invalid(String),
    /// A request would need more memory than [`crate::resources::memory_limit`]
    /// allows; `needed` is an estimate in bytes, `what` the sizes behind it.
    #[error(
        "this request needs about {} ({what}), over the memory limit of {}",
        crate::resources::format_bytes(*needed),
        crate::resources::format_bytes(*limit as f64)
    )]
    MemoryLimit { needed: f64, limit: u64, what: String },
    /// The caller asked a long computation to stop (see `power::Progress::cancelled`).
    #[error("cancelled")]
    Cancelled,
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
