//! MDPs and single-agent POWER: the `Mdp` class, POWER and its shards.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray3};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::{from_python, interruptible, py_err, to_python};
use powerseek::mdp::gamma_sweep::{gamma_sweep, GammaSweepRequest};
use powerseek::mdp::power::{PowerOptions, PowerReport};
use powerseek::mdp::power_io::PowerRequest;
use powerseek::mdp::reward::RewardDistribution;
use powerseek::mdp::MdpBuilder;

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
    /// zero does not exist at that state.
    #[staticmethod]
    fn _from_numpy(
        py: Python<'_>,
        transitions: PyReadonlyArray3<'_, f64>,
        state_names: Vec<String>,
        action_names: Vec<String>,
    ) -> PyResult<Self> {
        let t = transitions.as_array();
        let values: Vec<f64> = t.iter().copied().collect();
        let mdp = powerseek::mdp::from_dense(&values, t.dim(), state_names, &action_names).map_err(py_err)?;
        warn_notes(py, &mdp)?;
        Ok(Mdp::plain(mdp))
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
pub(crate) fn power<'py>(py: Python<'py>, mdp: &Mdp, args: PowerArgs) -> PyResult<Bound<'py, PyDict>> {
    let (d, opts) = args.resolve(&mdp.inner)?;
    let report = interruptible(py, |p| powerseek::mdp::power::estimate_power(&mdp.inner, &d, &opts, p))?;
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
    let sweep = interruptible(py, |p| gamma_sweep(&mdp.inner, &request, p))?;
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

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = slf.py().get_type::<PowerPartial>().getattr("_from_json")?;
        Ok((ctor, (slf.get()._to_json(),)))
    }
}

/// The batch size used for `mdp` (shards start on multiples of it).
#[pyfunction]
#[pyo3(signature = (mdp, batch = None, antithetic = false))]
pub(crate) fn batch_size(mdp: &Mdp, batch: Option<usize>, antithetic: bool) -> PyResult<usize> {
    let opts = PowerOptions {
        batch,
        antithetic,
        ..Default::default()
    };
    powerseek::mdp::power::batch_size(&mdp.inner, &opts).map_err(py_err)
}

/// Partial results for samples `first..end` (a shard; see `powerseek.distributed`).
#[pyfunction]
pub(crate) fn power_partials(
    py: Python<'_>,
    mdp: &Mdp,
    first: usize,
    end: usize,
    args: PowerArgs,
) -> PyResult<Vec<PowerPartial>> {
    let (d, opts) = args.resolve(&mdp.inner)?;
    let parts = interruptible(py, |p| {
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
