//! Games: normal-form and Bayesian games, equilibria, multi-agent POWER,
//! alignment and power scarcity. Each function calls the one library entry
//! point the CLI calls and returns its report through `to_python`, so the
//! fields are those of the CLI's `--format json`.

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::{py_err, run_with, to_python, Run};

use powerseek::game::bayesian::Behaviour;
use powerseek::game::equilibrium::{self, Method, SolveOptions};
use powerseek::game::power::{self, Profiles};
use powerseek::game::scarcity::ScarcityOptions;
use powerseek::game::{parse_rational, GameFile, NormalFormGame, Rational, Scalar};

/// An n-player normal-form game with exact rational payoffs.
#[pyclass(frozen, module = "powerseek._native")]
pub(crate) struct Game {
    inner: NormalFormGame,
}

pub(crate) fn rational_of(x: f64) -> PyResult<Rational> {
    // The shortest decimal that round-trips, read exactly: 0.1 means 1/10.
    if !x.is_finite() {
        return Err(PyValueError::new_err(format!("payoff {x} is not a finite number")));
    }
    parse_rational(&format!("{x}")).map_err(py_err)
}

fn load(path: &std::path::Path) -> PyResult<GameFile> {
    powerseek::game::load(path).map_err(py_err)
}

#[pymethods]
impl Game {
    /// Load a normal-form game: Gambit .nfg or JSON (as `powerseek game`).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let inner = load(&path)?
            .into_normal_form("powerseek.load_game")
            .map_err(|e| PyValueError::new_err(format!("{}: {e}; use powerseek.load_bayesian", path.display())))?;
        Ok(Game { inner })
    }

    /// From the action counts and payoffs laid out profile-major, player 0's action fastest.
    #[staticmethod]
    fn _from_flat(shape: Vec<usize>, payoffs: Vec<f64>) -> PyResult<Self> {
        let exact = payoffs.into_iter().map(rational_of).collect::<PyResult<_>>()?;
        Ok(Game {
            inner: NormalFormGame::from_payoffs(&shape, exact).map_err(py_err)?,
        })
    }

    /// `_from_flat` with exact payoffs as text (integers, decimals or `p/q`),
    /// so integer arrays beyond 2^53 are not rounded through floats.
    #[staticmethod]
    fn _from_flat_exact(shape: Vec<usize>, payoffs: Vec<String>) -> PyResult<Self> {
        let exact = payoffs
            .iter()
            .enumerate()
            .map(|(k, x)| parse_rational(x).map_err(|e| PyValueError::new_err(format!("payoff {k}: {e}"))))
            .collect::<PyResult<_>>()?;
        Ok(Game {
            inner: NormalFormGame::from_payoffs(&shape, exact).map_err(py_err)?,
        })
    }

    /// The game in Gambit's .nfg format (exact payoffs; used for pickling).
    /// `header` "names" (default) writes the action names and the comment, as
    /// Gambit does; "counts" writes action counts and no comment, the form
    /// OpenSpiel's loader reads (names and comment are then not written).
    #[pyo3(signature = (header = "names"))]
    fn to_nfg(&self, header: &str) -> PyResult<String> {
        use powerseek::game::nfg::{write_with, NfgHeader};
        let header = match header {
            "names" => NfgHeader::Names,
            "counts" => NfgHeader::Counts,
            other => {
                return Err(PyValueError::new_err(format!(
                    "header: expected 'names' or 'counts' (got '{other}')"
                )))
            }
        };
        Ok(write_with(&self.inner, header))
    }

    /// The game's title (may be empty).
    #[getter]
    fn title(&self) -> String {
        self.inner.title.clone()
    }

    /// Equal when players, actions (names included), payoffs, title and comment are.
    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    /// Hashes the game's exact `.nfg` text (equal games, equal text).
    fn __hash__(&self) -> u64 {
        crate::hash_of(&powerseek::game::nfg::write(&self.inner))
    }

    /// A game from file text in the format `extension` names (`nfg` or
    /// `json`); `origin` names the source in errors.
    #[staticmethod]
    #[pyo3(signature = (text, extension, origin = "<text>"))]
    fn _from_text(text: &str, extension: &str, origin: &str) -> PyResult<Self> {
        let inner = powerseek::game::load_text(text, extension, origin)
            .and_then(|g| g.into_normal_form("powerseek.Game"))
            .map_err(py_err)?;
        Ok(Game { inner })
    }

    #[staticmethod]
    fn _from_nfg(text: &str) -> PyResult<Self> {
        Ok(Game {
            inner: powerseek::game::nfg::parse(text, "<pickle>").map_err(py_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = slf.py().get_type::<Game>().getattr("_from_nfg")?;
        Ok((ctor, (powerseek::game::nfg::write(&slf.get().inner),)))
    }

    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.inner.shape()
    }

    #[getter]
    fn players(&self) -> Vec<String> {
        self.inner.players().to_vec()
    }

    /// Each player's action names.
    #[getter]
    fn actions(&self) -> Vec<Vec<String>> {
        (0..self.inner.n_players())
            .map(|i| self.inner.actions(i).to_vec())
            .collect()
    }

    /// Payoffs as floats, laid out like `_from_flat`'s input.
    fn _flat_payoffs(&self) -> Vec<f64> {
        self.inner.payoffs().iter().map(f64::from_rational).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Game({} players, actions {:?})",
            self.inner.n_players(),
            self.inner.shape()
        )
    }
}

fn solve_options(method: Option<&str>, all: bool) -> PyResult<SolveOptions> {
    Ok(SolveOptions {
        method: method.map(str::parse::<Method>).transpose().map_err(py_err)?,
        all,
        ..Default::default()
    })
}

/// Nash equilibria by `equilibrium::solve` (as `powerseek game solve`), re-checked exactly.
#[pyfunction]
#[pyo3(signature = (game, method = None, all = false, progress = None, threads = None))]
pub(crate) fn solve<'py>(
    py: Python<'py>,
    game: &Game,
    method: Option<&str>,
    all: bool,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = solve_options(method, all)?;
    let s = run_with(py, Run::new(progress, threads), |p| {
        equilibrium::solve_with(&game.inner, &opts, p)
    })?;
    to_python(py, &s)
}

/// Bayesian Nash equilibria by `equilibrium::solve_bayesian` (as `powerseek game solve`).
#[pyfunction]
#[pyo3(signature = (game, method = None, all = false, progress = None, threads = None))]
pub(crate) fn solve_bayesian<'py>(
    py: Python<'py>,
    game: &BayesianGame,
    method: Option<&str>,
    all: bool,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = solve_options(method, all)?;
    let s = run_with(py, Run::new(progress, threads), |p| {
        equilibrium::solve_bayesian_with(&game.inner, &opts, p)
    })?;
    to_python(py, &s)
}

/// Multi-agent POWER by `power::power_report` (as `powerseek game power`):
/// `profile` is None (every equilibrium and the uniform profile), `"uniform"`,
/// or exact probabilities — `[player][action]` for a `Game`,
/// `[player][type][action]` for a `BayesianGame`.
#[pyfunction]
#[pyo3(signature = (game, profile = None, progress = None, threads = None))]
pub(crate) fn game_power<'py>(
    py: Python<'py>,
    game: &Bound<'py, PyAny>,
    profile: Option<&Bound<'py, PyAny>>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let (b, one_type) = if let Ok(g) = game.cast::<Game>() {
        (powerseek::BayesianGame::from_normal_form(&g.get().inner), true)
    } else if let Ok(b) = game.cast::<BayesianGame>() {
        (b.get().inner.clone(), false)
    } else {
        return Err(PyValueError::new_err("game must be a Game or a BayesianGame"));
    };
    let profiles = match profile {
        None => Profiles::EquilibriaAndUniform,
        Some(p) if p.extract::<String>().is_ok_and(|s| s == "uniform") => Profiles::Uniform,
        Some(p) if one_type => Profiles::Given(power::behaviour_of(&p.extract::<Vec<Vec<Rational>>>()?)),
        Some(p) => Profiles::Given(p.extract::<Behaviour<Rational>>()?),
    };
    let r = run_with(py, Run::new(progress, threads), |p| {
        power::power_report_with(&b, &profiles, p)
    })?;
    to_python(py, &r)
}

/// Every alignment metric by `alignment::alignment_report` (as `powerseek game align`).
#[pyfunction]
#[pyo3(signature = (game, weights = None, progress = None, threads = None))]
pub(crate) fn alignment<'py>(
    py: Python<'py>,
    game: &Game,
    weights: Option<Vec<Rational>>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = powerseek::game::alignment::AlignmentOptions { weights };
    let r = run_with(py, Run::new(progress, threads), |p| {
        powerseek::game::alignment::alignment_report_with(&game.inner, &opts, p)
    })?;
    to_python(py, &r)
}

/// The power-scarcity sweep (as `powerseek experiment scarcity`) with the
/// fields of `ScarcityOptions` given in `options` (the others take the
/// library's defaults), restricted to the λ at index `only` when given (a
/// distributed shard).
#[pyfunction]
#[pyo3(signature = (options, only = None, progress = None, threads = None))]
pub(crate) fn scarcity<'py>(
    py: Python<'py>,
    options: &Bound<'py, PyAny>,
    only: Option<usize>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts: ScarcityOptions =
        pythonize::depythonize(options).map_err(|e| PyValueError::new_err(format!("scarcity options: {e}")))?;
    let indices: Vec<usize> = match only {
        Some(j) => vec![j],
        None => (0..opts.lambdas.len()).collect(),
    };
    let r = run_with(py, Run::new(progress, threads), |p| {
        powerseek::game::scarcity::scarcity_sweep_at(&opts, &indices, p)
    })?;
    to_python(py, &r)
}

/// The λ values the scarcity sweep uses by default.
#[pyfunction]
pub(crate) fn scarcity_default_lambdas() -> Vec<f64> {
    ScarcityOptions::default().lambdas
}

/// A Bayesian game (types with a common prior, docs/theory.md §3); normal-form games are the one-type case.
#[pyclass(frozen, module = "powerseek._native")]
pub(crate) struct BayesianGame {
    inner: powerseek::game::bayesian::BayesianGame,
}

#[pymethods]
impl BayesianGame {
    /// Load a one-stage Bayesian `.efg`, a Bayesian or normal-form `.json`, or a `.nfg`.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        Ok(BayesianGame {
            inner: load(&path)?.into_bayesian(),
        })
    }

    /// From its parts: title, players, types, actions, the prior over type
    /// profiles and the payoffs, laid out as the library's `BayesianGame`
    /// (type profile, then action profile, then player; player 0 fastest).
    #[staticmethod]
    fn _from_parts(
        title: String,
        players: Vec<String>,
        types: Vec<Vec<String>>,
        actions: Vec<Vec<String>>,
        prior: Vec<Rational>,
        payoffs: Vec<Rational>,
    ) -> PyResult<Self> {
        let inner = powerseek::game::bayesian::BayesianGame::new(title, players, types, actions, prior, payoffs)
            .map_err(py_err)?;
        Ok(BayesianGame { inner })
    }

    /// Pickled as its parts (exact: Fractions).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = slf.py();
        let g = &slf.get().inner;
        let n = g.n_players();
        let prior: Vec<Rational> = (0..g.n_type_profiles()).map(|t| g.prior(t).clone()).collect();
        let payoffs: Vec<Rational> = (0..g.n_type_profiles())
            .flat_map(|t| (0..g.n_action_profiles()).flat_map(move |a| (0..n).map(move |i| g.payoff(t, a, i).clone())))
            .collect();
        let me = slf.get();
        let parts = (g.title.clone(), me.players(), me.types(), me.actions(), prior, payoffs);
        Ok((
            py.get_type::<BayesianGame>().getattr("_from_parts")?,
            parts.into_pyobject(py)?.into_any(),
        ))
    }

    /// Equal when players, types, actions, prior, payoffs and title are.
    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    /// Hashes players, types, actions and the exact prior.
    fn __hash__(&self) -> u64 {
        crate::hash_of(&(
            &self.inner.title,
            self.players(),
            self.types(),
            self.actions(),
            self.prior(),
        ))
    }

    /// The prior probability of each type profile (player 0's type fastest), exact.
    #[getter]
    fn prior(&self) -> Vec<Rational> {
        (0..self.inner.n_type_profiles())
            .map(|t| self.inner.prior(t).clone())
            .collect()
    }

    /// A Bayesian game from file text in the format `extension` names
    /// (`efg`, `json` or `nfg`); `origin` names the source in errors.
    #[staticmethod]
    #[pyo3(signature = (text, extension, origin = "<text>"))]
    fn _from_text(text: &str, extension: &str, origin: &str) -> PyResult<Self> {
        let inner = powerseek::game::load_text(text, extension, origin).map_err(py_err)?;
        Ok(BayesianGame {
            inner: inner.into_bayesian(),
        })
    }

    /// The one-type Bayesian game of a normal-form game.
    #[staticmethod]
    fn from_game(game: &Game) -> Self {
        BayesianGame {
            inner: powerseek::game::bayesian::BayesianGame::from_normal_form(&game.inner),
        }
    }

    #[getter]
    fn players(&self) -> Vec<String> {
        self.inner.players().to_vec()
    }

    /// Each player's type names.
    #[getter]
    fn types(&self) -> Vec<Vec<String>> {
        (0..self.inner.n_players())
            .map(|i| self.inner.types(i).to_vec())
            .collect()
    }

    /// Each player's action names.
    #[getter]
    fn actions(&self) -> Vec<Vec<String>> {
        (0..self.inner.n_players())
            .map(|i| self.inner.actions(i).to_vec())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("BayesianGame(players {:?}, types {:?})", self.players(), self.types())
    }
}

/// What the solving thread of an [`EquilibriumStream`] sends.
enum StreamEvent {
    Equilibrium(equilibrium::SolvedEquilibrium),
    Done(powerseek::Result<equilibrium::StreamSummary>),
}

/// Stops the solving thread: set by the iterator on Ctrl-C or when dropped.
struct StopFlag(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl powerseek::progress::Progress for StopFlag {
    fn cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Equilibria of `equilibrium::solve_streaming` as they are found: an
/// iterator of the CLI's `--format jsonl` lines (dicts, exact values as
/// Fractions); `summary` is the last line's report once it is exhausted.
/// The solve runs on a thread of its own; Ctrl-C while waiting stops it
/// (KeyboardInterrupt), as does dropping the iterator.
#[pyclass(module = "powerseek._native")]
pub(crate) struct EquilibriumStream {
    events: Option<std::sync::Mutex<std::sync::mpsc::Receiver<StreamEvent>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    worker: Option<std::thread::JoinHandle<()>>,
    summary: Option<Py<PyAny>>,
}

impl EquilibriumStream {
    fn shut_down(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.events = None; // a blocked send fails, so the thread ends
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Drop for EquilibriumStream {
    fn drop(&mut self) {
        self.shut_down();
    }
}

#[pymethods]
impl EquilibriumStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        use std::sync::mpsc::RecvTimeoutError;
        loop {
            let Some(events) = self.events.as_ref() else {
                return Ok(None);
            };
            let event = py.detach(|| match events.lock() {
                Ok(rx) => rx.recv_timeout(std::time::Duration::from_millis(50)),
                Err(_) => Err(RecvTimeoutError::Disconnected),
            });
            match event {
                Ok(StreamEvent::Equilibrium(e)) => return to_python(py, &e).map(Some),
                Ok(StreamEvent::Done(result)) => {
                    self.shut_down();
                    let summary = result.map_err(py_err)?;
                    self.summary = Some(to_python(py, &summary)?.unbind());
                    return Ok(None);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        self.shut_down();
                        return Err(e);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.shut_down();
                    return Err(PyValueError::new_err("internal error: the solving thread ended early"));
                }
            }
        }
    }

    /// The summary (method, note, count, components as indices into the
    /// stream, complete), or None before the iterator is exhausted.
    #[getter]
    fn summary(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.summary.as_ref().map(|s| s.clone_ref(py))
    }
}

/// Equilibria streamed by `equilibrium::solve_streaming` (as `powerseek game
/// solve --format jsonl`): an iterator yielding each equilibrium as found.
#[pyfunction]
#[pyo3(signature = (game, method = None, all = true))]
pub(crate) fn iter_equilibria(game: &Game, method: Option<&str>, all: bool) -> PyResult<EquilibriumStream> {
    let opts = solve_options(method, all)?;
    opts.method_for_game(&game.inner).map_err(py_err)?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A few equilibria in flight at most: the thread waits for the consumer.
    let (send, events) = std::sync::mpsc::sync_channel(64);
    let (g, flag) = (game.inner.clone(), StopFlag(stop.clone()));
    let worker = std::thread::spawn(move || {
        let mut emit = |e: &equilibrium::SolvedEquilibrium| {
            if send.send(StreamEvent::Equilibrium(e.clone())).is_ok() {
                std::ops::ControlFlow::Continue(())
            } else {
                std::ops::ControlFlow::Break(())
            }
        };
        let result = equilibrium::solve_streaming(&g, &opts, &mut emit, &flag);
        let _ = send.send(StreamEvent::Done(result));
    });
    Ok(EquilibriumStream {
        events: Some(std::sync::Mutex::new(events)),
        stop,
        worker: Some(worker),
        summary: None,
    })
}
