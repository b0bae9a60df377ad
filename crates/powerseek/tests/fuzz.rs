//! A seeded mutation fuzzer over every input format, on stable Rust.
//!
//! Inputs are the shipped examples (`examples/`, `examples/games/`) and the
//! test games (`crates/powerseek/tests/data/`), mutated (bytes flipped,
//! inserted, deleted, duplicated; numbers and tokens that parsers find hard
//! spliced in; pieces of other files spliced together) and fed to the parser
//! of their format — and now and then to another format's parser. Whatever
//! parses goes through a small computation (a few POWER samples, the
//! equilibria of games below a size cap, a conflict simulation or
//! inference). Each case runs on its own thread under `catch_unwind` and a
//! watchdog: a panic or a case over the time limit is a failure, saved under
//! `target/fuzz-failures/` and reported with the seed and case number that
//! reproduce it. A memory limit of 1 GiB keeps mutated sizes from
//! exhausting the machine (they must fail with the memory error instead).
//!
//! `cargo test --test fuzz` runs a fixed number of cases (a few seconds);
//! `scripts/fuzz.sh [seconds]` runs `fuzz_long` for as long as asked
//! (`FUZZ_SECONDS`, `FUZZ_SEED`). Inputs that once crashed are replayed by
//! `regressions` (in `tests/data/fuzz/`).

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand::{Rng, RngExt, SeedableRng};
use rand_pcg::Pcg64;

use powerseek::conflict::{self, ObservationSet, Scenario};
use powerseek::game::equilibrium::{self, SolveOptions};
use powerseek::game::{bayesian, efg, json as game_json, nfg, BayesianGame, NormalFormGame};
use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::mdp::reward::RewardDistribution;
use powerseek::mdp::solve::{Horizon, SolverOptions};
use powerseek::mdp::{cassandra, gridworld, json as mdp_json, Mdp};
use powerseek::NoProgress;

/// One input format and its parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Format {
    Grid,
    MdpJson,
    Cassandra,
    Nfg,
    Efg,
    GameJson,
    BayesianJson,
    ScenarioToml,
    ObservationsToml,
}

const FORMATS: [Format; 9] = [
    Format::Grid,
    Format::MdpJson,
    Format::Cassandra,
    Format::Nfg,
    Format::Efg,
    Format::GameJson,
    Format::BayesianJson,
    Format::ScenarioToml,
    Format::ObservationsToml,
];

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Grid => "grid",
            Format::MdpJson | Format::GameJson | Format::BayesianJson => "json",
            Format::Cassandra => "mdp",
            Format::Nfg => "nfg",
            Format::Efg => "efg",
            Format::ScenarioToml | Format::ObservationsToml => "toml",
        }
    }

    /// The formats a corpus file is read as.
    fn of(path: &Path, text: &str) -> Vec<Format> {
        match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
            "grid" => vec![Format::Grid],
            "mdp" | "pomdp" => vec![Format::Cassandra],
            "nfg" => vec![Format::Nfg],
            "efg" => vec![Format::Efg],
            "toml" if text.contains("[[observation]]") => vec![Format::ObservationsToml],
            "toml" => vec![Format::ScenarioToml],
            "json" if text.contains("\"transitions\"") => vec![Format::MdpJson],
            "json" if bayesian::is_bayesian_json(text) => vec![Format::BayesianJson],
            "json" if text.contains("\"payoffs\"") => vec![Format::GameJson],
            _ => vec![],
        }
    }
}

/// Parse `text` as `format` and, when it parses, compute something small
/// with it. Errors are fine (they are the parsers' job); panics are not.
/// Returns whether the input parsed.
fn exercise(format: Format, text: &str, variant: u64) -> bool {
    let origin = format!("fuzz.{}", format.extension());
    match format {
        Format::Grid => mdp(gridworld::parse(text, &origin), variant),
        Format::MdpJson => mdp(mdp_json::parse(text, &origin), variant),
        Format::Cassandra => mdp(cassandra::parse(text, &origin), variant),
        Format::Nfg => game(nfg::parse(text, &origin)),
        Format::GameJson => game(game_json::parse(text, &origin)),
        Format::Efg => bayesian_game(efg::parse(text, &origin)),
        Format::BayesianJson => bayesian_game(bayesian::parse_json(text, &origin)),
        Format::ScenarioToml => {
            let Ok(s) = Scenario::parse(text, &origin) else {
                return false;
            };
            if s.rounds <= 1000 && s.agents.len() <= 50 && s.agents[0].preference.len() <= 50 {
                let trace = conflict::simulate(&s);
                let _ = format!("{trace:?}");
            }
            true
        }
        Format::ObservationsToml => {
            let Ok(set) = ObservationSet::parse(text, &origin) else {
                return false;
            };
            if set.observations.len() <= 10_000 {
                let _ = conflict::infer(&set, 11, 11);
            }
            true
        }
    }
}

fn mdp(parsed: powerseek::Result<Mdp>, variant: u64) -> bool {
    let Ok(m) = parsed else { return false };
    if m.n_states() > 400 || m.n_transitions() > 10_000 {
        return true;
    }
    let horizon = match variant % 4 {
        0 => Horizon::ZeroLimit,
        1 => Horizon::OneLimit,
        2 => Horizon::Discounted(0.5),
        _ => Horizon::Discounted(m.discount().filter(|g| *g > 0.0 && *g < 1.0).unwrap_or(0.9)),
    };
    let opts = PowerOptions {
        horizon,
        solver: SolverOptions {
            tolerance: 1e-3,
            max_iterations: 20_000,
            ..Default::default()
        },
        samples: SampleSize::Count(8),
        seed: variant,
        antithetic: variant.is_multiple_of(3),
        batch: Some(8),
    };
    if let Ok(r) = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress) {
        assert_eq!(r.power.len(), m.n_states());
        assert!(
            r.power.iter().all(|e| e.mean.is_finite()),
            "POWER not finite: {:?}",
            r.power
        );
    }
    true
}

fn game(parsed: powerseek::Result<NormalFormGame>) -> bool {
    let Ok(g) = parsed else { return false };
    let cap = if g.n_players() == 2 { 36 } else { 32 };
    if g.n_profiles() <= cap {
        if let Ok(s) = equilibrium::solve(&g, &SolveOptions::all()) {
            let _ = format!("{s:?}");
        }
    }
    true
}

fn bayesian_game(parsed: powerseek::Result<BayesianGame>) -> bool {
    let Ok(b) = parsed else { return false };
    // Pure strategies of the induced normal form: actions^types per player.
    let strategies = (0..b.n_players()).try_fold(1u64, |acc, i| {
        let own = (b.actions(i).len() as u64).checked_pow(b.types(i).len() as u32)?;
        acc.checked_mul(own)
    });
    if b.n_players() == 2 && strategies.is_some_and(|s| s <= 36) {
        if let Ok(s) = equilibrium::solve_bayesian(&b, &SolveOptions::all()) {
            let _ = format!("{s:?}");
        }
    }
    true
}

// ---------------------------------------------------------------------------
// Corpus and mutations

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Shipped examples and test games (up to 64 KiB each), with their formats.
fn corpus() -> Vec<(Format, Vec<u8>)> {
    let root = repo_root();
    let mut dirs = vec![
        root.join("examples"),
        root.join("examples/games"),
        root.join("crates/powerseek/tests/data"),
    ];
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                // Regressions are replayed by `regressions`; some are big on purpose.
                if path.starts_with(root.join("crates/powerseek/tests/data")) && !path.ends_with("fuzz") {
                    dirs.push(path);
                }
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if text.len() > 64 << 10 {
                continue;
            }
            for f in Format::of(&path, &text) {
                out.push((f, text.clone().into_bytes()));
            }
        }
    }
    // A few seeds of formats the examples may lack.
    out.push((Format::Cassandra, b"states: 3\nactions: a b\nT: a identity\nT: b : 0 uniform\nT: b : 1 : 2 1\nT: b : 2 : 0 0.5\nT: b : 2 : 2 0.5\n".to_vec()));
    out.sort();
    out.dedup();
    out
}

/// Tokens that parsers find hard.
const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "-0",
    "00",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "99999999",
    "1/0",
    "0/0",
    "3/4",
    "-7/3",
    "0.1",
    "1e400",
    "",
    " ",
    "\n",
    "\r\n",
    "\t",
    "\u{feff}",
    "\u{0}",
    "é",
    "*",
    ":",
    ";",
    ",",
    "=",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\"\"",
    "#",
    ".",
    "T",
    "S",
    "~",
    "^",
    "<",
    ">",
    "v",
    "uniform",
    "identity",
    "states",
    "actions",
    "T:",
    "start:",
    "discount:",
    "null",
    "true",
    "false",
    "{}",
    "[]",
    "[[agent]]",
    "[[observation]]",
    "rounds = 1000000",
    "NFG 1 R",
    "EFG 2 R",
    "p",
    "c",
    "t",
];

fn mutate(rng: &mut Pcg64, input: &[u8], corpus: &[(Format, Vec<u8>)]) -> Vec<u8> {
    let mut x = input.to_vec();
    let rounds = [1, 1, 4, 16][rng.random_range(0..4)];
    for _ in 0..rng.random_range(1..=rounds) {
        let len = x.len();
        let at = if len == 0 { 0 } else { rng.random_range(0..=len) };
        match rng.random_range(0..9) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                x[i] ^= 1 << rng.random_range(0..8);
            }
            1 => x.insert(at, rng.random()),
            2 if len > 0 => {
                let end = (at + rng.random_range(1..=16)).min(len);
                x.drain(at.min(len)..end);
            }
            3 if len > 0 => {
                let start = rng.random_range(0..len);
                let end = (start + rng.random_range(1..=64)).min(len);
                let piece = x[start..end].to_vec();
                x.splice(at..at, piece);
            }
            4 | 5 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())].as_bytes();
                x.splice(at..at, t.iter().copied());
            }
            6 => replace_number(rng, &mut x),
            7 if !corpus.is_empty() => {
                let other = &corpus[rng.random_range(0..corpus.len())].1;
                if !other.is_empty() {
                    let start = rng.random_range(0..other.len());
                    let end = (start + rng.random_range(1..=128)).min(other.len());
                    x.splice(at..at, other[start..end].iter().copied());
                }
            }
            _ if len > 0 => x.truncate(rng.random_range(0..len)),
            _ => {}
        }
    }
    x
}

/// Replace one run of digits by a hard token.
fn replace_number(rng: &mut Pcg64, x: &mut Vec<u8>) {
    let digits: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_ascii_digit()).collect();
    if digits.is_empty() {
        return;
    }
    let mut start = digits[rng.random_range(0..digits.len())];
    while start > 0 && (x[start - 1].is_ascii_digit() || x[start - 1] == b'.') {
        start -= 1;
    }
    let mut end = start;
    while end < x.len() && (x[end].is_ascii_digit() || x[end] == b'.') {
        end += 1;
    }
    let numbers = [
        "0",
        "-1",
        "1e308",
        "99999",
        "100000000",
        "4294967296",
        "NaN",
        "1/0",
        "1e-320",
        "7",
    ];
    let t = numbers[rng.random_range(0..numbers.len())].as_bytes();
    x.splice(start..end, t.iter().copied());
}

// ---------------------------------------------------------------------------
// Running cases

/// Longest a single case may take before it counts as a hang.
fn case_limit() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(20)
    } else {
        Duration::from_secs(5)
    }
}

thread_local! {
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Panic messages go to the case, not to stderr.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
    }));
}

#[derive(Debug)]
enum Outcome {
    /// Finished; whether the input parsed.
    Ok(bool),
    Panic(String),
    Hang,
}

/// Run one case on its own thread with a watchdog.
fn run_case(format: Format, input: Vec<u8>, variant: u64) -> Outcome {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("fuzz-case".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let text = String::from_utf8_lossy(&input).into_owned();
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| exercise(format, &text, variant)));
            let outcome = match r {
                Ok(parsed) => Outcome::Ok(parsed),
                Err(_) => Outcome::Panic(LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default()),
            };
            let _ = tx.send(outcome);
        })
        .expect("spawn a case thread");
    rx.recv_timeout(case_limit()).unwrap_or(Outcome::Hang)
}

struct Failure {
    what: String,
    saved: PathBuf,
}

/// Save a failing input where it can be replayed and turned into a regression test.
fn save(format: Format, seed: u64, case: u64, input: &[u8]) -> PathBuf {
    let dir = repo_root().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{format:?}-seed{seed}-case{case}.{}", format.extension()));
    let _ = std::fs::write(&path, input);
    path
}

/// Fuzz from `seed` for `cases` cases or until `deadline`, whichever first.
/// Returns the number of cases run and the failures.
fn fuzz(seed: u64, cases: u64, deadline: Option<Instant>) -> (u64, Vec<Failure>) {
    powerseek::resources::set_memory_limit(Some(1 << 30));
    quiet_panics();
    let corpus = corpus();
    assert!(
        corpus.len() >= 10,
        "the corpus has {} files: examples missing?",
        corpus.len()
    );
    for f in FORMATS {
        assert!(corpus.iter().any(|(g, _)| *g == f), "no corpus file for {f:?}");
    }
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut done = 0;
    let mut parsed = [[0u64; 2]; FORMATS.len()];
    while done < cases && deadline.is_none_or(|d| Instant::now() < d) {
        // A format first (the corpus has many more games than MDPs), then a file.
        let wanted = FORMATS[rng.random_range(0..FORMATS.len())];
        let files: Vec<&(Format, Vec<u8>)> = corpus.iter().filter(|(f, _)| *f == wanted).collect();
        let (mut format, base) = files[rng.random_range(0..files.len())];
        let input = if rng.random_range(0..20) == 0 {
            base.clone()
        } else {
            mutate(&mut rng, base, &corpus)
        };
        if rng.random_range(0..10) == 0 {
            format = FORMATS[rng.random_range(0..FORMATS.len())];
        }
        let variant = rng.next_u64();
        let what = match run_case(format, input.clone(), variant) {
            Outcome::Ok(ok) => {
                parsed[format as usize][ok as usize] += 1;
                None
            }
            Outcome::Panic(msg) => Some(format!("panic: {msg}")),
            Outcome::Hang => Some(format!("no answer within {:?}", case_limit())),
        };
        if let Some(what) = what {
            let saved = save(format, seed, done, &input);
            eprintln!(
                "fuzz: {format:?} case {done} (seed {seed}): {what}\n  input saved to {}",
                saved.display()
            );
            failures.push(Failure { what, saved });
            if failures.len() >= 20 {
                break;
            }
        }
        done += 1;
    }
    let rates: Vec<String> = FORMATS
        .iter()
        .map(|&f| {
            let [no, yes] = parsed[f as usize];
            format!("{f:?} {yes}/{}", yes + no)
        })
        .collect();
    eprintln!("fuzz: inputs that parsed, by format: {}", rates.join(", "));
    (done, failures)
}

fn report(cases: u64, failures: &[Failure], started: Instant) {
    eprintln!(
        "fuzz: {cases} cases in {:.1} s, {} failures",
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    let list: Vec<String> = failures
        .iter()
        .map(|f| format!("{} ({})", f.what, f.saved.display()))
        .collect();
    assert!(
        failures.is_empty(),
        "fuzzing found {} failures:\n{}",
        failures.len(),
        list.join("\n")
    );
}

/// The short run of `cargo test`: a fixed seed and number of cases.
#[test]
fn fuzz_short() {
    let started = Instant::now();
    let cases = if cfg!(debug_assertions) { 4_000 } else { 20_000 };
    let (done, failures) = fuzz(20_240_601, cases, Some(started + Duration::from_secs(25)));
    report(done, &failures, started);
}

/// The long run (`scripts/fuzz.sh`): `FUZZ_SECONDS` (default 600) from
/// `FUZZ_SEED` (default: the clock).
#[test]
#[ignore = "long: run with scripts/fuzz.sh [seconds]"]
fn fuzz_long() {
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs())
        });
    eprintln!("fuzz: seed {seed}, {seconds} s");
    let started = Instant::now();
    let (done, failures) = fuzz(seed, u64::MAX, Some(started + Duration::from_secs(seconds)));
    report(done, &failures, started);
}

/// Inputs that once crashed or hung (`tests/data/fuzz/<format>-*.<ext>`),
/// replayed through the same parsers and computations.
#[test]
fn regressions() {
    powerseek::resources::set_memory_limit(Some(1 << 30));
    let dir = repo_root().join("crates/powerseek/tests/data/fuzz");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let Some(format) = FORMATS.iter().copied().find(|f| name.starts_with(&format!("{f:?}-"))) else {
            continue;
        };
        let input = std::fs::read(&path).unwrap();
        for variant in 0..4 {
            match run_case(format, input.clone(), variant) {
                Outcome::Ok(_) => {}
                other => panic!("{}: {other:?}", path.display()),
            }
        }
    }
}
