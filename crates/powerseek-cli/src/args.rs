//! Output arguments shared by the commands: the formats a command writes
//! (each command accepts only those it really writes, so clap rejects the
//! others), where a picture goes, and writing a library report as JSON (the
//! report's one serialisation, the same fields Python returns).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;

/// Table, JSON or CSV.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Table or JSON (commands without a CSV form).
#[derive(Clone, Copy, ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}

/// CSV or JSON (commands whose table is the CSV).
#[derive(Clone, Copy, ValueEnum)]
pub enum CsvOrJson {
    Csv,
    Json,
}

/// `--format table|json|csv`.
#[derive(Args)]
pub struct FormatArg {
    /// Output format (json: the report's fields, as Python returns them).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// `--format table|json`.
#[derive(Args)]
pub struct TableOrJsonArg {
    /// Output format (json: the report's fields, as Python returns them).
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
}

/// `--format csv|json`.
#[derive(Args)]
pub struct CsvOrJsonArg {
    /// Output format (json: the report's fields, as Python returns them).
    #[arg(long, value_enum, default_value = "csv")]
    pub format: CsvOrJson,
}

/// `--plot FILE`.
#[derive(Args)]
pub struct PlotArg {
    /// Write a picture (.svg or .png); the command's description says which.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

/// Write `report` to stdout as pretty JSON.
pub fn write_json(report: &impl Serialize) -> Result<()> {
    // Buffered: stdout is line-buffered, and pretty JSON has a line per number.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // As an io::Error, so a closed pipe is recognised as one.
    serde_json::to_writer_pretty(&mut out, report).map_err(std::io::Error::from)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Tell the user where a picture went.
pub fn plot_written(path: &Path) {
    eprintln!("plot written to {}", path.display());
}

/// The long flags of the (sub)command the user ran, e.g. `seed-policy`.
pub fn command_flags(root: &clap::Command, matches: &clap::ArgMatches) -> Vec<String> {
    let (mut cmd, mut m) = (root, matches);
    while let Some((name, sub)) = m.subcommand() {
        match cmd.find_subcommand(name) {
            Some(c) => (cmd, m) = (c, sub),
            None => break,
        }
    }
    cmd.get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect()
}

/// An error as printed. Library messages about an option start with the
/// option's name as the library (and Python) spell it, `seed_policy: …` or
/// `focal = 2: …`; when the command has that option, its flag is named
/// instead (`--seed-policy: …`, `--focal 2: …`).
pub fn message(e: &anyhow::Error, flags: &[String]) -> String {
    e.chain()
        .map(|c| name_flag(&c.to_string(), flags))
        .collect::<Vec<_>>()
        .join(": ")
}

fn name_flag(text: &str, flags: &[String]) -> String {
    let ident_len = text
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(text.len());
    let (ident, rest) = text.split_at(ident_len);
    if ident.is_empty() || !ident.starts_with(|c: char| c.is_ascii_lowercase()) {
        return text.to_string();
    }
    let flag = ident.replace('_', "-");
    if !flags.contains(&flag) {
        return text.to_string();
    }
    if let Some(tail) = rest.strip_prefix(": ") {
        return format!("--{flag}: {tail}");
    }
    if let Some(value_and_tail) = rest.strip_prefix(" = ") {
        if let Some((value, tail)) = value_and_tail.split_once(": ") {
            if !value.contains(' ') {
                return format!("--{flag} {value}: {tail}");
            }
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::name_flag;

    #[test]
    fn library_option_names_become_flags() {
        let flags = ["seed-policy".to_string(), "focal".to_string(), "gamma".to_string()];
        assert_eq!(
            name_flag("seed_policy: none given", &flags),
            "--seed-policy: none given"
        );
        assert_eq!(
            name_flag("focal = 2: with two agents", &flags),
            "--focal 2: with two agents"
        );
        assert_eq!(
            name_flag("gamma = 1.5 is outside (0, 1)", &flags),
            "gamma = 1.5 is outside (0, 1)"
        );
        assert_eq!(name_flag("other: unknown", &flags), "other: unknown");
        assert_eq!(name_flag("s.toml:3: bad", &flags), "s.toml:3: bad");
    }
}
