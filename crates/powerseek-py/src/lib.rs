//! Python bindings: a thin layer that converts numpy arrays and Python values
//! to the library's types, releases the GIL for long computations, and maps
//! errors to exceptions with the CLI's messages. The Python package
//! (`python/powerseek`) adds argument checking and the `distributed` module.

use std::path::PathBuf;
use std::sync::Mutex;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray3};
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use powerseek::game::{parse_rational, NormalFormGame, Rational, Scalar};
use powerseek::mdp::power::{PowerOptions, PowerReport, SampleSize};
use powerseek::mdp::reward::RewardDistribution;
use powerseek::mdp::solve::{Horizon, SolverOptions};
use powerseek::mdp::MdpBuilder;
use powerseek::progress::Progress;
use powerseek::retarget::{Builtin, DecisionMaker, Outcomes};

fn py_err(e: powerseek::Error) -> PyErr {
    match e {
        powerseek::Error::Io { .. } => PyOSError::new_err(e.to_string()),
        powerseek::Error::Cancelled => PyKeyboardInterrupt::new_err("interrupted"),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// Polls for Ctrl-C between batches (from the calling thread, which is
/// Python's main thread when called from the main thread).
struct Interrupt {
    error: Mutex<Option<PyErr>>,
}

impl Progress for Interrupt {
    fn cancelled(&self) -> bool {
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(e) => {
                *self.error.lock().expect("not poisoned") = Some(e);
                true
            }
        })
    }
}

/// Run `f` without the GIL, turning a Ctrl-C into the KeyboardInterrupt Python raised.
fn interruptible<T: Send>(py: Python<'_>, f: impl FnOnce(&Interrupt) -> powerseek::Result<T> + Send) -> PyResult<T> {
    let interrupt = Interrupt {
        error: Mutex::new(None),
    };
    let result = py.detach(|| f(&interrupt));
    match (result, interrupt.error.into_inner().expect("not poisoned")) {
        (Err(powerseek::Error::Cancelled), Some(e)) => Err(e),
        (r, _) => r.map_err(py_err),
    }
}

/// One action of an MDP in plain data: `(state, action name, [(next state, probability)])`.
type ActionRow = (usize, String, Vec<(usize, f64)>);

/// A finite MDP (states, actions and transition probabilities; no rewards).
#[pyclass(frozen, module = "powerseek._native")]
struct Mdp {
    inner: powerseek::mdp::Mdp,
    /// Gridworld text and origin, kept so pickling preserves the layout.
    grid_source: Option<(String, String)>,
}

impl Mdp {
    fn plain(inner: powerseek::mdp::Mdp) -> Self {
        Mdp {
            inner,
            grid_source: None,
        }
    }
}

#[pymethods]
impl Mdp {
    /// Load a .grid, .json, .mdp or .pomdp file.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let inner = powerseek::mdp::load(&path).map_err(py_err)?;
        let grid_source = match inner.layout() {
            Some(_) => Some((
                std::fs::read_to_string(&path).map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?,
                path.display().to_string(),
            )),
            None => None,
        };
        Ok(Mdp { inner, grid_source })
    }

    /// Parse gridworld text (the .grid format).
    #[staticmethod]
    #[pyo3(signature = (text, origin = "<gridworld>"))]
    fn gridworld(text: &str, origin: &str) -> PyResult<Self> {
        Ok(Mdp {
            inner: powerseek::mdp::gridworld::parse(text, origin).map_err(py_err)?,
            grid_source: Some((text.to_string(), origin.to_string())),
        })
    }

    /// From transitions `T[s, a, s']` (float64); an action whose row is all
    /// zero does not exist at that state.
    #[staticmethod]
    fn _from_numpy(
        transitions: PyReadonlyArray3<'_, f64>,
        state_names: Vec<String>,
        action_names: Vec<String>,
    ) -> PyResult<Self> {
        let t = transitions.as_array();
        let (n, k, _) = t.dim();
        let mut b = MdpBuilder::new(state_names);
        for s in 0..n {
            for a in 0..k {
                let row: Vec<(usize, f64)> = (0..n).map(|j| (j, t[[s, a, j]])).filter(|e| e.1 != 0.0).collect();
                if !row.is_empty() {
                    b.add_action(s, &action_names[a], &row).map_err(py_err)?;
                }
            }
        }
        Ok(Mdp::plain(b.build().map_err(py_err)?))
    }

    /// Rebuild from `parts()` (used by pickling).
    #[staticmethod]
    fn _from_parts(state_names: Vec<String>, actions: Vec<ActionRow>) -> PyResult<Self> {
        let mut b = MdpBuilder::new(state_names);
        for (s, name, row) in actions {
            b.add_action(s, &name, &row).map_err(py_err)?;
        }
        Ok(Mdp::plain(b.build().map_err(py_err)?))
    }

    /// `(state_names, [(state, action, [(next, p), ...]), ...])`.
    fn parts(&self) -> (Vec<String>, Vec<ActionRow>) {
        let m = &self.inner;
        let actions = (0..m.n_states())
            .flat_map(|s| m.actions(s).map(move |a| (s, a)))
            .map(|(s, a)| {
                let (next, prob) = m.successors(a);
                let row = next.iter().map(|&t| t as usize).zip(prob.iter().copied()).collect();
                (s, m.action_name(a).to_string(), row)
            })
            .collect();
        (m.state_names().to_vec(), actions)
    }

    /// Gridworlds travel as their text (keeping the layout), other MDPs as their rows.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = slf.py();
        let me = slf.get();
        match &me.grid_source {
            Some(source) => Ok((
                py.get_type::<Mdp>().getattr("gridworld")?,
                source.clone().into_pyobject(py)?.into_any(),
            )),
            None => Ok((
                py.get_type::<Mdp>().getattr("_from_parts")?,
                me.parts().into_pyobject(py)?.into_any(),
            )),
        }
    }

    #[getter]
    fn n_states(&self) -> usize {
        self.inner.n_states()
    }

    #[getter]
    fn state_names(&self) -> Vec<String> {
        self.inner.state_names().to_vec()
    }

    /// The action names available at each state.
    #[getter]
    fn actions(&self) -> Vec<Vec<String>> {
        let m = &self.inner;
        (0..m.n_states())
            .map(|s| m.actions(s).map(|a| m.action_name(a).to_string()).collect())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Mdp({} states, {} state-actions, {})",
            self.inner.n_states(),
            self.inner.n_state_actions(),
            if self.inner.is_deterministic() {
                "deterministic"
            } else {
                "stochastic"
            }
        )
    }
}

fn horizon(gamma: f64) -> Horizon {
    match gamma {
        0.0 => Horizon::ZeroLimit,
        1.0 => Horizon::OneLimit,
        g => Horizon::Discounted(g),
    }
}

/// The options every POWER call takes, passed from Python as one dict
/// (built and checked by `powerseek._power_args`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct PowerArgs {
    gamma: f64,
    samples: usize,
    dist: String,
    seed: u64,
    tolerance: f64,
    antithetic: bool,
    batch: Option<usize>,
}

impl PowerArgs {
    /// The reward distribution and estimator options for `mdp`.
    fn resolve(&self, mdp: &powerseek::mdp::Mdp) -> PyResult<(RewardDistribution, PowerOptions)> {
        let options = PowerOptions {
            horizon: horizon(self.gamma),
            solver: SolverOptions {
                tolerance: self.tolerance,
                ..Default::default()
            },
            samples: SampleSize::Count(self.samples),
            seed: self.seed,
            antithetic: self.antithetic,
            batch: self.batch,
        };
        Ok((distribution(mdp, &self.dist)?, options))
    }
}

fn distribution(mdp: &powerseek::mdp::Mdp, dist: &str) -> PyResult<RewardDistribution> {
    RewardDistribution::parse_for(dist, mdp).map_err(py_err)
}

/// A report as a dict of numpy arrays.
fn report_dict<'py>(py: Python<'py>, mdp: &powerseek::mdp::Mdp, r: &PowerReport) -> PyResult<Bound<'py, PyDict>> {
    let n = mdp.n_states();
    let width = mdp.max_actions();
    let mut optimal = vec![f64::NAN; n * width];
    let mut share = vec![f64::NAN; n * width];
    let mut successor = vec![f64::NAN; n * width];
    for (a, act) in r.actions.iter().enumerate() {
        let slot = act.state * width + (a - mdp.actions(act.state).start);
        optimal[slot] = act.optimal;
        share[slot] = act.optimal_share;
        successor[slot] = act.successor_power.mean;
    }
    let d = PyDict::new(py);
    let grid = |v: Vec<f64>| PyArray1::from_vec(py, v).reshape([n, width]);
    d.set_item(
        "power",
        r.power.iter().map(|e| e.mean).collect::<Vec<_>>().into_pyarray(py),
    )?;
    d.set_item("se", r.power.iter().map(|e| e.se).collect::<Vec<_>>().into_pyarray(py))?;
    d.set_item(
        "ci95",
        PyArray2::from_vec2(py, &r.power.iter().map(|e| e.ci95.to_vec()).collect::<Vec<_>>())?,
    )?;
    d.set_item("optimal", grid(optimal)?)?;
    d.set_item("optimal_share", grid(share)?)?;
    d.set_item("successor_power", grid(successor)?)?;
    d.set_item("tie_probability", r.tie_probability.clone().into_pyarray(py))?;
    d.set_item("samples", r.samples)?;
    d.set_item("seed", r.seed)?;
    d.set_item("horizon", &r.horizon)?;
    d.set_item("distribution", &r.distribution)?;
    d.set_item("seconds", r.seconds)?;
    Ok(d)
}

/// POWER of every state (see `powerseek.power`).
#[pyfunction]
fn power<'py>(py: Python<'py>, mdp: &Mdp, args: PowerArgs) -> PyResult<Bound<'py, PyDict>> {
    let (d, opts) = args.resolve(&mdp.inner)?;
    let report = interruptible(py, |p| powerseek::mdp::power::estimate_power(&mdp.inner, &d, &opts, p))?;
    report_dict(py, &mdp.inner, &report)
}

/// The statistics of a run of reward samples; merge with `finish_power`.
#[pyclass(frozen, module = "powerseek._native")]
struct PowerPartial {
    inner: powerseek::mdp::power::PowerPartial,
}

#[pymethods]
impl PowerPartial {
    #[staticmethod]
    fn _from_json(text: &str) -> PyResult<Self> {
        Ok(PowerPartial {
            inner: serde_json::from_str(text).map_err(|e| PyValueError::new_err(e.to_string()))?,
        })
    }

    fn _to_json(&self) -> String {
        serde_json::to_string(&self.inner).expect("plain data")
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = slf.py().get_type::<PowerPartial>().getattr("_from_json")?;
        Ok((ctor, (slf.get()._to_json(),)))
    }
}

/// The batch size used for `mdp` (shards start on multiples of it).
#[pyfunction]
#[pyo3(signature = (mdp, batch = None, antithetic = false))]
fn batch_size(mdp: &Mdp, batch: Option<usize>, antithetic: bool) -> PyResult<usize> {
    let opts = PowerOptions {
        batch,
        antithetic,
        ..Default::default()
    };
    powerseek::mdp::power::batch_size(&mdp.inner, &opts).map_err(py_err)
}

/// Partial results for samples `first..end` (a shard; see `powerseek.distributed`).
#[pyfunction]
fn power_partials(py: Python<'_>, mdp: &Mdp, first: usize, end: usize, args: PowerArgs) -> PyResult<Vec<PowerPartial>> {
    let (d, opts) = args.resolve(&mdp.inner)?;
    let parts = interruptible(py, |p| {
        powerseek::mdp::power::power_partials(&mdp.inner, &d, &opts, first..end, p)
    })?;
    Ok(parts.into_iter().map(|inner| PowerPartial { inner }).collect())
}

/// Merge shards' partial results into the report `power` would give.
#[pyfunction]
fn finish_power<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    partials: Vec<PyRef<'py, PowerPartial>>,
    args: PowerArgs,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, opts) = args.resolve(&mdp.inner)?;
    let parts: Vec<powerseek::mdp::power::PowerPartial> = partials.iter().map(|p| p.inner.clone()).collect();
    let report = powerseek::mdp::power::finish_power(&mdp.inner, &d, &opts, &parts).map_err(py_err)?;
    report_dict(py, &mdp.inner, &report)
}

/// An n-player normal-form game with exact rational payoffs.
#[pyclass(frozen, module = "powerseek._native")]
struct Game {
    inner: NormalFormGame,
}

fn rational_of(x: f64) -> PyResult<Rational> {
    // The shortest decimal that round-trips, read exactly: 0.1 means 1/10.
    parse_rational(&format!("{x}"))
        .filter(|_| x.is_finite())
        .ok_or_else(|| PyValueError::new_err(format!("payoff {x} is not a finite number")))
}

#[pymethods]
impl Game {
    /// Load a Gambit .nfg or a JSON normal-form game.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let inner = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => powerseek::game::json::load(&path),
            _ => powerseek::game::nfg::load(&path),
        }
        .map_err(py_err)?;
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

    /// The game in Gambit's .nfg format (exact payoffs; used for pickling).
    fn to_nfg(&self) -> String {
        powerseek::game::nfg::write(&self.inner)
    }

    #[staticmethod]
    fn _from_nfg(text: &str) -> PyResult<Self> {
        Ok(Game {
            inner: powerseek::game::nfg::parse(text, "<pickle>").map_err(py_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = slf.py().get_type::<Game>().getattr("_from_nfg")?;
        Ok((ctor, (slf.get().to_nfg(),)))
    }

    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.inner.shape()
    }

    #[getter]
    fn players(&self) -> Vec<String> {
        self.inner.players().to_vec()
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

fn profile_strings(p: &[Vec<Rational>]) -> Vec<Vec<String>> {
    p.iter().map(|s| s.iter().map(|x| x.to_string()).collect()).collect()
}

/// Nash equilibria, each as per-player probability vectors in exact form ("p/q" strings).
#[pyfunction]
fn equilibria(py: Python<'_>, game: &Game) -> PyResult<Vec<Vec<Vec<String>>>> {
    let eqs = py
        .detach(|| powerseek::game::equilibrium::equilibria(&game.inner))
        .map_err(py_err)?;
    Ok(eqs.iter().map(|e| profile_strings(&e.strategies)).collect())
}

fn read_profile(game: &NormalFormGame, profile: Vec<Vec<String>>) -> PyResult<Vec<Vec<Rational>>> {
    let exact: Vec<Vec<Rational>> = profile
        .into_iter()
        .map(|s| {
            s.iter()
                .map(|x| parse_rational(x).ok_or_else(|| PyValueError::new_err(format!("'{x}' is not a number"))))
                .collect::<PyResult<_>>()
        })
        .collect::<PyResult<_>>()?;
    game.check_profile(&exact).map_err(py_err)?;
    Ok(exact)
}

/// Multi-agent POWER of every player at a mixed profile (exact), as JSON text.
#[pyfunction]
fn game_power(game: &Game, profile: Vec<Vec<String>>) -> PyResult<String> {
    let p = read_profile(&game.inner, profile)?;
    let report = powerseek::game::power::normal_form_power(&game.inner, &p);
    Ok(serde_json::json!({
        "power": report.players.iter().map(|x| x.power.to_string()).collect::<Vec<_>>(),
        "expected_payoff": report.players.iter().map(|x| x.expected_payoff.to_string()).collect::<Vec<_>>(),
        "total_power": report.total_power.to_string(),
        "total_regret": report.total_regret.to_string(),
        "is_equilibrium": report.is_equilibrium,
    })
    .to_string())
}

/// Alignment metrics (SPEC 3) with welfare weights, as JSON text of exact values.
#[pyfunction]
fn alignment(game: &Game, weights: Vec<f64>) -> PyResult<String> {
    let w: Vec<Rational> = weights.into_iter().map(rational_of).collect::<PyResult<_>>()?;
    powerseek::game::alignment::check_weights(&game.inner, &w).map_err(py_err)?;
    let a = powerseek::game::alignment::alignment(&game.inner, &w);
    let security = powerseek::game::alignment::security_levels(&game.inner).map_err(py_err)?;
    let threat = powerseek::game::alignment::threat_point(&security);
    Ok(serde_json::json!({
        "alpha": a.alpha.to_string(),
        "max_welfare": a.max_welfare.to_string(),
        "ideal_welfare": a.ideal_welfare.to_string(),
        "max_welfare_profiles": a.max_welfare_profiles.iter().map(|&i| game.inner.profile(i)).collect::<Vec<_>>(),
        "constant_welfare": a.constant_welfare,
        "threat_point": threat.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
    })
    .to_string())
}

/// A decision-maker written in Python: `f(utilities) -> probabilities`.
struct PyDecisionMaker {
    f: Py<PyAny>,
    error: Mutex<Option<PyErr>>,
}

impl DecisionMaker for PyDecisionMaker {
    fn choice_probabilities(&self, utilities: &[f64]) -> Vec<f64> {
        Python::attach(|py| {
            let call = || -> PyResult<Vec<f64>> {
                let out = self.f.call1(py, (utilities.to_vec().into_pyarray(py),))?;
                let p: Vec<f64> = out.extract(py)?;
                if p.len() != utilities.len() {
                    return Err(PyValueError::new_err(format!(
                        "the decision-maker returned {} probabilities for {} outcomes",
                        p.len(),
                        utilities.len()
                    )));
                }
                Ok(p)
            };
            call().unwrap_or_else(|e| {
                self.error.lock().expect("not poisoned").get_or_insert(e);
                vec![0.0; utilities.len()]
            })
        })
    }

    fn name(&self) -> String {
        "python".into()
    }
}

/// Orbit tendency of B versus A: `(b_more, equal, a_more)` over the S_d orbit
/// of `u` (exhaustive, or `samples` random permutations with `seed`).
#[pyfunction]
#[pyo3(signature = (decision_maker, outcomes, u, a, b, samples = None, seed = 0, chunks = None))]
#[allow(clippy::too_many_arguments)]
fn orbit_tendency(
    py: Python<'_>,
    decision_maker: &Bound<'_, PyAny>,
    outcomes: Option<Vec<Vec<f64>>>,
    u: PyReadonlyArray1<'_, f64>,
    a: Vec<usize>,
    b: Vec<usize>,
    samples: Option<u64>,
    seed: u64,
    chunks: Option<(u64, u64)>,
) -> PyResult<(u64, u64, u64)> {
    let u = u.as_array().to_vec();
    let outcomes = match outcomes {
        None => Outcomes::unit(u.len()),
        Some(vectors) => {
            if let Some(bad) = vectors.iter().position(|c| c.len() != u.len()) {
                return Err(PyValueError::new_err(format!(
                    "outcome {bad} has dimension {}, the parameter u has {}",
                    vectors[bad].len(),
                    u.len()
                )));
            }
            Outcomes { vectors }
        }
    };
    let builtin: Option<Builtin> = match decision_maker.extract::<String>() {
        Ok(name) => Some(name.parse().map_err(py_err)?),
        Err(_) => None,
    };
    let python = PyDecisionMaker {
        f: decision_maker.clone().unbind(),
        error: Mutex::new(None),
    };
    let dm: &dyn DecisionMaker = match &builtin {
        Some(b) => b,
        None => &python,
    };
    for set in [&a, &b] {
        if let Some(bad) = set.iter().find(|&&i| i >= outcomes.vectors.len()) {
            return Err(PyValueError::new_err(format!(
                "outcome index {bad} is out of range ({} outcomes)",
                outcomes.vectors.len()
            )));
        }
    }
    let t = py.detach(|| match samples {
        None => powerseek::retarget::orbit_tendency(dm, &outcomes, &u, &a, &b),
        Some(n) => {
            let range = chunks.map_or(0..n.div_ceil(powerseek::retarget::TENDENCY_CHUNK), |(c0, c1)| c0..c1);
            powerseek::retarget::sampled_tendency_chunks(dm, &outcomes, &u, &a, &b, n, seed, range)
        }
    });
    if let Some(e) = python.error.into_inner().expect("not poisoned") {
        return Err(e);
    }
    Ok((t.b_more, t.equal, t.a_more))
}

/// The power-scarcity sweep over λ (SPEC 2–3), as JSON text.
#[pyfunction]
#[pyo3(signature = (players, actions, types, games, lambdas, seed, only = None))]
#[allow(clippy::too_many_arguments)]
fn scarcity(
    py: Python<'_>,
    players: usize,
    actions: usize,
    types: usize,
    games: usize,
    lambdas: Vec<f64>,
    seed: u64,
    only: Option<usize>,
) -> PyResult<String> {
    let opts = powerseek::game::scarcity::ScarcityOptions {
        players,
        actions,
        types,
        games,
        lambdas,
        seed,
    };
    let indices: Vec<usize> = match only {
        Some(j) => vec![j],
        None => (0..opts.lambdas.len()).collect(),
    };
    let r = interruptible(py, |p| powerseek::game::scarcity::scarcity_sweep_at(&opts, &indices, p))?;
    Ok(serde_json::to_string(&r).expect("plain data"))
}

/// Two agents in a shared gridworld (SPEC 6): both agents' POWER at every
/// joint state for each ρ, as `powerseek multi sweep`.
#[pyfunction]
#[pyo3(signature = (grid, rhos, turns, no_overlap, noise, other, seed_policy, gamma, gamma_other, reward_on, interval, samples, seed, tolerance, other_at = None))]
#[allow(clippy::too_many_arguments)]
fn sequential<'py>(
    py: Python<'py>,
    grid: &Mdp,
    rhos: Vec<f64>,
    turns: &str,
    no_overlap: bool,
    noise: f64,
    other: &str,
    seed_policy: Option<String>,
    gamma: f64,
    gamma_other: f64,
    reward_on: &str,
    interval: (f64, f64),
    samples: usize,
    seed: u64,
    tolerance: f64,
    other_at: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    use powerseek::multiagent::joint::{Grid, JointDynamics, JointOptions, Turns};
    use powerseek::multiagent::sequential::{Response, RewardSite, SeedPolicies, SequentialOptions};
    let invalid = |m: String| PyValueError::new_err(m);
    let turns = match turns {
        "alternating" => Turns::Alternating,
        "simultaneous" => Turns::Simultaneous,
        t => return Err(invalid(format!("turns '{t}': expected alternating or simultaneous"))),
    };
    let response: Response = other.parse().map_err(py_err)?;
    let site = match reward_on {
        "joint" => RewardSite::JointState,
        "cell" => RewardSite::OwnCell,
        r => return Err(invalid(format!("reward_on '{r}': expected joint or cell"))),
    };
    let g = Grid::from_gridworld(&grid.inner).map_err(py_err)?;
    let other_at = match other_at {
        None => powerseek::multiagent::sequential::OtherPosition::Uniform,
        Some(name) => match g.names.iter().position(|n| *n == name) {
            Some(c) => powerseek::multiagent::sequential::OtherPosition::At(c),
            None => return Err(invalid(format!("other_at '{name}' is not a cell of the grid"))),
        },
    };
    let env = JointOptions {
        agents: 2,
        turns,
        no_overlap,
        noise,
    };
    let dynamics = JointDynamics::new(&g, &env).map_err(py_err)?;
    let mut seeds = SeedPolicies::uniform(&dynamics);
    if let Some(text) = seed_policy {
        seeds.0[1] =
            powerseek::multiagent::sequential::policy_from_json(&dynamics, 1, &text, "seed_policy").map_err(py_err)?;
    }
    let opts = SequentialOptions {
        gamma: [gamma, gamma_other],
        rho: 0.0,
        lo: interval.0,
        hi: interval.1,
        site,
        response,
        samples,
        seed,
        tolerance,
    };
    let sweep = interruptible(py, |p| {
        powerseek::multiagent::sequential::rho_sweep(&dynamics, &seeds, &opts, &rhos, p)
    })?;
    let n = dynamics.n_states();
    let k = sweep.len();
    let (mut power, mut se, mut total, mut total_se, mut cells) = (vec![], vec![], vec![], vec![], vec![]);
    let (mut mean, mut mean_se, mut sum, mut sum_se, mut corr, mut pcorr) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (_, r) in &sweep {
        for i in 0..2 {
            power.extend(r.power[i].iter().map(|e| e.mean));
            se.extend(r.power[i].iter().map(|e| e.se));
            mean.push(r.mean_power[i].mean);
            mean_se.push(r.mean_power[i].se);
            let means: Vec<f64> = r.power[i].iter().map(|e| e.mean).collect();
            cells.extend(powerseek::multiagent::sequential::per_cell(
                &dynamics, i, &means, other_at,
            ));
        }
        total.extend(r.total.iter().map(|e| e.mean));
        total_se.extend(r.total.iter().map(|e| e.se));
        sum.push(r.mean_total.mean);
        sum_se.push(r.mean_total.se);
        corr.push(r.reward_correlation);
        pcorr.push(r.power_correlation);
    }
    let d = PyDict::new(py);
    let arr3 = |v: Vec<f64>, w: usize| PyArray1::from_vec(py, v).reshape([k, 2, w]);
    let arr2 = |v: Vec<f64>, w: usize| PyArray1::from_vec(py, v).reshape([k, w]);
    d.set_item("rho", rhos.into_pyarray(py))?;
    d.set_item("power", arr3(power, n)?)?;
    d.set_item("se", arr3(se, n)?)?;
    d.set_item("per_cell", arr3(cells, dynamics.cells())?)?;
    d.set_item("total", arr2(total, n)?)?;
    d.set_item("total_se", arr2(total_se, n)?)?;
    d.set_item("mean_power", arr2(mean, 2)?)?;
    d.set_item("mean_power_se", arr2(mean_se, 2)?)?;
    d.set_item("mean_total", sum.into_pyarray(py))?;
    d.set_item("mean_total_se", sum_se.into_pyarray(py))?;
    d.set_item("reward_correlation", corr.into_pyarray(py))?;
    d.set_item("power_correlation", pcorr.into_pyarray(py))?;
    d.set_item("state_names", dynamics.state_names().to_vec())?;
    let positions: Vec<[usize; 2]> = (0..n)
        .map(|s| [dynamics.position(s, 0), dynamics.position(s, 1)])
        .collect();
    d.set_item("positions", positions)?;
    d.set_item("cells", g.names)?;
    d.set_item("samples", samples)?;
    Ok(d)
}

/// The conflict model (SPEC 7): play out a scenario given as TOML text, as JSON text.
#[pyfunction]
fn conflict_simulate(text: &str) -> PyResult<String> {
    let scenario = powerseek::conflict::Scenario::parse(text, "<scenario>.toml").map_err(py_err)?;
    Ok(serde_json::to_string(&powerseek::conflict::simulate(&scenario)).expect("plain data"))
}

/// Phase diagram of escalation over alignment × cost, as JSON text.
#[pyfunction]
fn conflict_phase(model: &str, ratio: f64, n_alignment: usize, n_cost: usize) -> PyResult<String> {
    let m: powerseek::conflict::ConflictModel =
        serde_json::from_str(model).map_err(|e| PyValueError::new_err(format!("conflict model: {e}")))?;
    let d = powerseek::conflict::phase_diagram(&m, ratio, n_alignment, n_cost).map_err(py_err)?;
    Ok(serde_json::to_string(&d).expect("plain data"))
}

/// A Bayesian game (types with a common prior, SPEC 2); normal-form games are the one-type case.
#[pyclass(frozen, module = "powerseek._native")]
struct BayesianGame {
    inner: powerseek::game::bayesian::BayesianGame,
}

#[pymethods]
impl BayesianGame {
    /// Load a one-stage Bayesian `.efg`, a Bayesian or normal-form `.json`, or a `.nfg`.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        use powerseek::game::{bayesian, efg, json, nfg};
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let inner = match ext {
            "efg" => efg::load(&path),
            "nfg" => nfg::load(&path).map(|g| bayesian::BayesianGame::from_normal_form(&g)),
            "json" => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
                let origin = path.display().to_string();
                if bayesian::is_bayesian_json(&text) {
                    bayesian::parse_json(&text, &origin)
                } else {
                    json::parse(&text, &origin).map(|g| bayesian::BayesianGame::from_normal_form(&g))
                }
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "{}: unknown game file extension '{other}' (expected .efg, .json or .nfg)",
                    path.display()
                )))
            }
        }
        .map_err(py_err)?;
        Ok(BayesianGame { inner })
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

/// Bayesian Nash equilibria as behaviours (player × type × action, "p/q" strings).
#[pyfunction]
fn bayesian_equilibria(py: Python<'_>, game: &BayesianGame) -> PyResult<Vec<Vec<Vec<Vec<String>>>>> {
    let eqs = py
        .detach(|| powerseek::game::equilibrium::bayesian_equilibria(&game.inner))
        .map_err(py_err)?;
    Ok(eqs
        .iter()
        .map(|b| b.iter().map(|p| profile_strings(p)).collect())
        .collect())
}

/// Multi-agent POWER (SPEC 2) of every player and type under a behaviour, exact, as JSON text.
#[pyfunction]
fn bayesian_power(game: &BayesianGame, behaviour: Vec<Vec<Vec<String>>>) -> PyResult<String> {
    let sigma: powerseek::game::bayesian::Behaviour<Rational> = behaviour
        .iter()
        .map(|player| {
            player
                .iter()
                .map(|t| {
                    t.iter()
                        .map(|x| {
                            parse_rational(x).ok_or_else(|| PyValueError::new_err(format!("'{x}' is not a number")))
                        })
                        .collect::<PyResult<Vec<_>>>()
                })
                .collect::<PyResult<Vec<_>>>()
        })
        .collect::<PyResult<_>>()?;
    game.inner.check_behaviour(&sigma).map_err(py_err)?;
    let r = powerseek::game::power::bayesian_power(&game.inner, &sigma);
    let text = |x: &Rational| x.to_string();
    Ok(serde_json::json!({
        "power": r.players.iter().map(|p| text(&p.power)).collect::<Vec<_>>(),
        "expected_payoff": r.players.iter().map(|p| text(&p.expected_payoff)).collect::<Vec<_>>(),
        "by_type": r.players.iter().map(|p| p.by_type.iter().map(|v| v.as_ref().map(text)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "total_power": text(&r.total_power),
        "total_regret": text(&r.total_regret),
        "is_equilibrium": r.is_equilibrium,
    })
    .to_string())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Mdp>()?;
    m.add_class::<PowerPartial>()?;
    m.add_class::<Game>()?;
    m.add_class::<BayesianGame>()?;
    m.add_function(wrap_pyfunction!(bayesian_equilibria, m)?)?;
    m.add_function(wrap_pyfunction!(bayesian_power, m)?)?;
    m.add_function(wrap_pyfunction!(power, m)?)?;
    m.add_function(wrap_pyfunction!(batch_size, m)?)?;
    m.add_function(wrap_pyfunction!(power_partials, m)?)?;
    m.add_function(wrap_pyfunction!(finish_power, m)?)?;
    m.add_function(wrap_pyfunction!(equilibria, m)?)?;
    m.add_function(wrap_pyfunction!(game_power, m)?)?;
    m.add_function(wrap_pyfunction!(alignment, m)?)?;
    m.add_function(wrap_pyfunction!(orbit_tendency, m)?)?;
    m.add_function(wrap_pyfunction!(scarcity, m)?)?;
    m.add_function(wrap_pyfunction!(sequential, m)?)?;
    m.add_function(wrap_pyfunction!(conflict_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(conflict_phase, m)?)?;
    m.add("TENDENCY_CHUNK", powerseek::retarget::TENDENCY_CHUNK)?;
    Ok(())
}
