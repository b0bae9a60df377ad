//! MDPs and single-agent POWER: the `Mdp` class, POWER and its shards.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::{from_python, py_err, run_with, to_python, Run};
use powerseek::mdp::gamma_sweep::{gamma_sweep, GammaSweepRequest};
use powerseek::mdp::power::{PowerOptions, PowerReport};
use powerseek::mdp::power_io::PowerRequest;
use powerseek::mdp::reward::RewardDistribution;
use powerseek::mdp::{Cell, Features, GridLayout, MdpBuilder, SparseTransitions};

/// Per-state features as Python passes them: `(names, values[state][feature])`.
type FeatureArg<'py> = (Vec<String>, PyReadonlyArray2<'py, f64>);

/// Per-state features as Python reads them: `(names, values[state][feature])`.
type FeatureView<'py> = (Vec<String>, Bound<'py, PyArray2<f64>>);

/// A map as Python passes it: `(height, width, open[row * width + col], position[state])`.
type LayoutArg = (usize, usize, Vec<bool>, Vec<(usize, usize)>);

/// Everything that defines an MDP, in plain data (pickling and `==`):
/// state names, action rows, features `(names, row-major values)`, map,
/// start state, discount.
type Spec = (
    Vec<String>,
    Vec<ActionRow>,
    Option<(Vec<String>, Vec<f64>)>,
    Option<LayoutArg>,
    Option<usize>,
    Option<f64>,
);

/// One action of an MDP in plain data: `(state, action name, [(next state, probability)])`.
type ActionRow = (usize, String, Vec<(usize, f64)>);

/// A finite MDP (states, actions and transition probabilities; no rewards).
#[pyclass(frozen, module = "powerseek._native")]
pub(crate) struct Mdp {
    pub(crate) inner: powerseek::mdp::Mdp,
    /// Gridworld text and origin, kept so pickling preserves the layout.
    grid_source: Option<(String, String)>,
}

/// Each of the loader's notes (such as renormalised rows) as a Python `UserWarning`.
fn warn_notes(py: Python<'_>, mdp: &powerseek::mdp::Mdp) -> PyResult<()> {
    for note in mdp.notes() {
        let message = std::ffi::CString::new(note.replace('\0', " "))?;
        PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), &message, 1)?;
    }
    Ok(())
}

/// `mdp` with the features Python passed (`(names, values[state][feature])`), if any.
fn with_features(mdp: powerseek::mdp::Mdp, features: Option<FeatureArg<'_>>) -> PyResult<powerseek::mdp::Mdp> {
    let Some((names, values)) = features else {
        return Ok(mdp);
    };
    let v = values.as_array();
    let (rows, cols) = v.dim();
    if rows != mdp.n_states() || cols != names.len() {
        return Err(PyValueError::new_err(format!(
            "features: values of shape ({rows}, {cols}) for {} states and {} feature names",
            mdp.n_states(),
            names.len()
        )));
    }
    let values = v.iter().copied().collect();
    mdp.with_features(Features { names, values }).map_err(py_err)
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
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let inner = powerseek::mdp::load(&path).map_err(py_err)?;
        warn_notes(py, &inner)?;
        let grid_source = match inner.layout() {
            Some(_) => Some((
                powerseek::error::read_text(&path).map_err(py_err)?,
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
    /// zero does not exist at that state. `features` are `(names, values)`
    /// with `values[s][k]` feature `k` of state `s`.
    #[staticmethod]
    #[pyo3(signature = (transitions, state_names, action_names, features = None))]
    fn _from_numpy(
        py: Python<'_>,
        transitions: PyReadonlyArray3<'_, f64>,
        state_names: Vec<String>,
        action_names: Vec<String>,
        features: Option<FeatureArg<'_>>,
    ) -> PyResult<Self> {
        let t = transitions.as_array();
        let values: Vec<f64> = t.iter().copied().collect();
        let mdp = powerseek::mdp::from_dense(&values, t.dim(), state_names, &action_names).map_err(py_err)?;
        warn_notes(py, &mdp)?;
        Ok(Mdp::plain(with_features(mdp, features)?))
    }

    /// From sparse entries `T[state[i], action[i], next[i]] = prob[i]`
    /// (repeated entries summed); `features` as in `_from_numpy`.
    #[staticmethod]
    #[pyo3(signature = (state_names, action_names, state, action, next, prob, features = None))]
    #[allow(clippy::too_many_arguments)]
    fn _from_sparse(
        py: Python<'_>,
        state_names: Vec<String>,
        action_names: Vec<String>,
        state: PyReadonlyArray1<'_, u64>,
        action: PyReadonlyArray1<'_, u64>,
        next: PyReadonlyArray1<'_, u64>,
        prob: PyReadonlyArray1<'_, f64>,
        features: Option<FeatureArg<'_>>,
    ) -> PyResult<Self> {
        let index =
            |a: &PyReadonlyArray1<'_, u64>| -> Vec<usize> { a.as_array().iter().map(|&x| x as usize).collect() };
        let (state, action, next) = (index(&state), index(&action), index(&next));
        let prob: Vec<f64> = prob.as_array().iter().copied().collect();
        let entries = SparseTransitions {
            state: &state,
            action: &action,
            next: &next,
            prob: &prob,
        };
        let mdp = powerseek::mdp::from_sparse(&entries, state_names, &action_names).map_err(py_err)?;
        warn_notes(py, &mdp)?;
        Ok(Mdp::plain(with_features(mdp, features)?))
    }

    /// From rows as `parts()` gives them, with optional features
    /// `(names, values)`, map `(height, width, open, position)`, start
    /// state and discount (used by the adapters and by pickling).
    #[staticmethod]
    #[pyo3(signature = (state_names, actions, features = None, layout = None, start = None, discount = None))]
    fn _build(
        py: Python<'_>,
        state_names: Vec<String>,
        actions: Vec<ActionRow>,
        features: Option<(Vec<String>, Vec<f64>)>,
        layout: Option<LayoutArg>,
        start: Option<usize>,
        discount: Option<f64>,
    ) -> PyResult<Self> {
        let mut b = MdpBuilder::new(state_names);
        for (s, name, row) in actions {
            b.add_action(s, &name, &row).map_err(py_err)?;
        }
        let mut m = b.build().map_err(py_err)?;
        warn_notes(py, &m)?;
        if let Some((names, values)) = features {
            m = m.with_features(Features { names, values }).map_err(py_err)?;
        }
        if let Some((height, width, open, position)) = layout {
            let cells = open.iter().map(|&o| if o { Cell::Open } else { Cell::Wall }).collect();
            let layout = GridLayout {
                width,
                height,
                cells,
                position,
            };
            m = m.with_grid_layout(layout).map_err(py_err)?;
        }
        if let Some(s) = start {
            m = m.with_start_state(s).map_err(py_err)?;
        }
        if let Some(d) = discount {
            m = m.with_discount_rate(d).map_err(py_err)?;
        }
        Ok(Mdp::plain(m))
    }

    /// Rebuild from `parts()` (pickles written before features and maps were kept).
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

    /// Everything that defines the MDP (`_build`'s arguments).
    fn _spec(&self) -> Spec {
        let m = &self.inner;
        let (names, rows) = self.parts();
        let features = m.features().map(|f| (f.names.clone(), f.values.clone()));
        let layout = m.layout().map(|l| {
            let open = l.cells.iter().map(|&c| c == Cell::Open).collect();
            (l.height, l.width, open, l.position.clone())
        });
        (names, rows, features, layout, m.start(), m.discount())
    }

    /// Gridworlds travel as their text (keeping everything the text says),
    /// other MDPs as their rows, features, map and start state.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = slf.py();
        let me = slf.get();
        match &me.grid_source {
            Some(source) => Ok((
                py.get_type::<Mdp>().getattr("gridworld")?,
                source.clone().into_pyobject(py)?.into_any(),
            )),
            None => Ok((
                py.get_type::<Mdp>().getattr("_build")?,
                me._spec().into_pyobject(py)?.into_any(),
            )),
        }
    }

    /// Equal when states, actions, transition probabilities, features, map,
    /// start state and discount are (a gridworld equals its rows written out).
    fn __eq__(&self, other: &Self) -> bool {
        self._spec() == other._spec()
    }

    /// Hashes the state names and the transition structure (successors and
    /// probabilities' bits), which equal MDPs share.
    fn __hash__(&self) -> u64 {
        let m = &self.inner;
        let rows: Vec<u64> = (0..m.n_state_actions())
            .flat_map(|a| {
                let (next, prob) = m.successors(a);
                let next = next.iter().map(|&t| u64::from(t));
                next.chain(prob.iter().map(|p| p.to_bits())).collect::<Vec<_>>()
            })
            .collect();
        crate::hash_of(&(m.state_names(), self.actions(), rows))
    }

    /// The MDP's discount rate, when its file gave one (POWER's default γ then).
    #[getter]
    fn discount(&self) -> Option<f64> {
        self.inner.discount()
    }

    /// The start state's index, when the file or adapter named one.
    #[getter]
    fn start(&self) -> Option<usize> {
        self.inner.start()
    }

    /// Feature names and values `(names, values[state][feature])`, when the MDP has features.
    #[getter]
    fn features<'py>(&self, py: Python<'py>) -> PyResult<Option<FeatureView<'py>>> {
        self.inner
            .features()
            .map(|f| {
                let values =
                    PyArray1::from_vec(py, f.values.clone()).reshape([self.inner.n_states(), f.n_features()])?;
                Ok((f.names.clone(), values))
            })
            .transpose()
    }

    /// The map `(height, width, open[row][col], position[state] = (row, col))`
    /// of a gridworld (or an adapter's grid), for heatmaps; None otherwise.
    #[getter]
    fn layout(&self) -> Option<LayoutArg> {
        self._spec().3
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

/// The options of every POWER call, from the dict `powerseek._power_args`
/// builds: the library's `PowerRequest` (missing fields take its defaults).
pub(crate) struct PowerArgs(PowerRequest);

impl<'py> FromPyObject<'_, 'py> for PowerArgs {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(PowerArgs(from_python("POWER options", &obj)?))
    }
}

impl PowerArgs {
    /// The reward distribution and estimator options for `mdp`.
    fn resolve(&self, mdp: &powerseek::mdp::Mdp) -> PyResult<(RewardDistribution, PowerOptions)> {
        self.0.resolve(mdp).map_err(py_err)
    }
}

/// A report as the library's `PowerView` (the CLI's JSON fields) plus numpy
/// arrays of its per-state numbers: `power`, `se`, `ci95` (S × 2),
/// `tie_probability`, and `optimal`, `optimal_share`, `successor_power`
/// (S × max actions, NaN where a state has fewer actions).
pub(crate) fn report_dict<'py>(
    py: Python<'py>,
    mdp: &powerseek::mdp::Mdp,
    r: &PowerReport,
) -> PyResult<Bound<'py, PyDict>> {
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
    let d = to_python(py, &r.view(mdp))?.cast_into::<PyDict>()?;
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
    Ok(d)
}

/// POWER of every state (see `powerseek.power`).
#[pyfunction]
#[pyo3(signature = (mdp, args, progress = None, threads = None))]
pub(crate) fn power<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    args: PowerArgs,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, opts) = args.resolve(&mdp.inner)?;
    let report = run_with(py, Run::new(progress, threads), |p| {
        powerseek::mdp::power::estimate_power(&mdp.inner, &d, &opts, p)
    })?;
    report_dict(py, &mdp.inner, &report)
}

/// POWER and optimal-action probabilities of chosen states at each discount
/// rate (see `powerseek.power_sweep`): the library's `GammaSweep`, the CLI's
/// `power --gamma LIST --format json`.
#[pyfunction]
#[pyo3(signature = (mdp, args, gammas, states = None))]
pub(crate) fn power_sweep<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    args: PowerArgs,
    gammas: Vec<f64>,
    states: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let request = GammaSweepRequest {
        power: args.0,
        gammas,
        states: states.unwrap_or_default(),
    };
    let sweep = run_with(py, Run::default(), |p| gamma_sweep(&mdp.inner, &request, p))?;
    to_python(py, &sweep)
}

/// Discount rates from text: `0.1,0.5,0.9` or `lo:hi:K`.
#[pyfunction]
pub(crate) fn parse_gammas(text: &str) -> PyResult<Vec<f64>> {
    powerseek::mdp::gamma_sweep::parse_gammas(text).map_err(py_err)
}

/// The statistics of a run of reward samples; merge with `finish_power`.
#[pyclass(frozen, module = "powerseek._native")]
pub(crate) struct PowerPartial {
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

    /// Equal when they hold the same statistics of the same samples.
    fn __eq__(&self, other: &Self) -> bool {
        self._to_json() == other._to_json()
    }

    fn __hash__(&self) -> u64 {
        crate::hash_of(&self._to_json())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = slf.py().get_type::<PowerPartial>().getattr("_from_json")?;
        Ok((ctor, (slf.get()._to_json(),)))
    }
}

/// At most `shards` contiguous sample ranges `(first, end)` covering the run
/// `args` asks for (the library's `shard_ranges`).
#[pyfunction]
pub(crate) fn power_shards(mdp: &Mdp, args: PowerArgs, shards: usize) -> PyResult<Vec<(usize, usize)>> {
    let (_, opts) = args.resolve(&mdp.inner)?;
    let ranges = powerseek::mdp::power::shard_ranges(&opts, shards).map_err(py_err)?;
    Ok(ranges.into_iter().map(|r| (r.start, r.end)).collect())
}

/// Partial results for samples `first..end` (a shard; see `powerseek.distributed`).
#[pyfunction]
#[pyo3(signature = (mdp, first, end, args, progress = None, threads = None))]
pub(crate) fn power_partials(
    py: Python<'_>,
    mdp: &Mdp,
    first: usize,
    end: usize,
    args: PowerArgs,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Vec<PowerPartial>> {
    let (d, opts) = args.resolve(&mdp.inner)?;
    let parts = run_with(py, Run::new(progress, threads), |p| {
        powerseek::mdp::power::power_partials(&mdp.inner, &d, &opts, first..end, p)
    })?;
    Ok(parts.into_iter().map(|inner| PowerPartial { inner }).collect())
}

/// Merge shards' partial results into the report `power` would give.
#[pyfunction]
pub(crate) fn finish_power<'py>(
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

/// `powerseek visits`: F(s), ND(F(s)), recurrent distributions and exact
/// probabilities (see `powerseek.visit_distributions`).
#[pyfunction]
pub(crate) fn visit_distributions<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: powerseek::mdp::visits::VisitRequest = from_python("visits request", request)?;
    let report = run_with(py, Run::default(), |p| {
        powerseek::mdp::visits::visits(&mdp.inner, &request, p)
    })?;
    to_python(py, &report)
}

/// `powerseek power --exact` (see `powerseek.power(..., exact=True)`).
#[pyfunction]
pub(crate) fn exact_power<'py>(py: Python<'py>, mdp: &Mdp, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let request: powerseek::mdp::visits::ExactPowerRequest = from_python("exact POWER request", request)?;
    let report = run_with(py, Run::default(), |p| {
        powerseek::mdp::visits::exact_power(&mdp.inner, &request, p)
    })?;
    to_python(py, &report)
}
