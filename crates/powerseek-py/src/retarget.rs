//! Retargetable decision-makers: the `retarget` analyses (orbit, check,
//! mdp, learned) as the library's reports, with decision-makers written in
//! Python.

use std::sync::Mutex;

use numpy::IntoPyArray;
use pyo3::prelude::*;

use powerseek::progress::Progress;

use crate::mdp::Mdp;
use crate::{from_python, py_err, run_with, to_python, Run};
use powerseek::retarget::{
    self, CheckRequest, CycleRequest, DecisionMaker, LearnedRequest, MdpTendencyRequest, MeanRequest, OrbitRequest,
};

/// A decision-maker written in Python: `f(utilities) -> probabilities`.
pub(crate) struct PyDecisionMaker {
    f: Py<PyAny>,
    error: Mutex<Option<PyErr>>,
}

impl DecisionMaker for PyDecisionMaker {
    fn choice_probabilities(&self, utilities: &[f64]) -> Vec<f64> {
        Python::attach(|py| {
            let call = || -> PyResult<Vec<f64>> {
                let out = self.f.call1(py, (utilities.to_vec().into_pyarray(py),))?;
                let p: Vec<f64> = out.extract(py)?;
                retarget::check_choice_probabilities(&p, utilities.len()).map_err(py_err)?;
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

/// A training procedure written in Python: `f(reward, seed)` returning the
/// first move at `state` as an action name, an index into the state's
/// actions, or probabilities over the state's actions.
pub(crate) struct PyTrainer<'a> {
    f: Py<PyAny>,
    mdp: &'a powerseek::mdp::Mdp,
    state: usize,
    error: Mutex<Option<PyErr>>,
}

impl PyTrainer<'_> {
    /// The trainer's answer as a probability per action label.
    fn first_move_of(&self, out: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
        use pyo3::exceptions::PyValueError;
        let (mdp, s) = (self.mdp, self.state);
        let local = mdp.actions(s);
        let names: Vec<&str> = local.clone().map(|x| mdp.action_name(x)).collect();
        let mut p = vec![0.0; mdp.action_names().len()];
        let label = |i: usize| mdp.action_label(local.start + i);
        if let Ok(name) = out.extract::<String>() {
            let i = names.iter().position(|n| *n == name).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "the trainer returned action '{name}', which is not available in state '{}' (its actions: {})",
                    mdp.state_name(s),
                    names.join(", ")
                ))
            })?;
            p[label(i)] = 1.0;
        } else if out.is_instance_of::<pyo3::types::PyBool>() {
            return Err(PyValueError::new_err(
                "the trainer returned a bool; return an action name or index",
            ));
        } else if let Ok(i) = out.extract::<i64>() {
            let i = usize::try_from(i).ok().filter(|&i| i < names.len()).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "the trainer returned action index {i}; state '{}' has {} actions (indexed from 0)",
                    mdp.state_name(s),
                    names.len()
                ))
            })?;
            p[label(i)] = 1.0;
        } else if let Ok(probs) = out.extract::<Vec<f64>>() {
            if probs.len() != names.len() {
                return Err(PyValueError::new_err(format!(
                    "the trainer returned {} probabilities; state '{}' has {} actions ({})",
                    probs.len(),
                    mdp.state_name(s),
                    names.len(),
                    names.join(", ")
                )));
            }
            for (i, q) in probs.into_iter().enumerate() {
                p[label(i)] += q;
            }
        } else {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "the trainer must return an action name, an index into the state's actions or their probabilities, not {}",
                out.get_type().name()?
            )));
        }
        Ok(p)
    }
}

impl retarget::trained::Trainer for PyTrainer<'_> {
    fn first_move(&self, reward: &[f64], seed: u64) -> powerseek::Result<Vec<f64>> {
        Python::attach(|py| {
            let out = self
                .f
                .call1(py, (reward.to_vec().into_pyarray(py), seed))
                .and_then(|out| self.first_move_of(out.bind(py)));
            out.map_err(|e| {
                self.error.lock().expect("not poisoned").get_or_insert(e);
                powerseek::Error::Invalid("the Python trainer failed".into())
            })
        })
    }

    fn name(&self) -> String {
        "python".into()
    }
}

/// The library's decision-maker for a Python callable (None: none of one's own).
fn custom(decision_maker: Option<&Bound<'_, PyAny>>) -> Option<PyDecisionMaker> {
    decision_maker.map(|f| PyDecisionMaker {
        f: f.clone().unbind(),
        error: Mutex::new(None),
    })
}

/// Run a library call with an optional Python decision-maker, raising the
/// decision-maker's own exception if it failed.
fn with_custom<'py, T: serde::Serialize + Send>(
    py: Python<'py>,
    decision_maker: Option<&Bound<'py, PyAny>>,
    how: Run,
    run: impl FnOnce(Option<&dyn DecisionMaker>, &dyn Progress) -> powerseek::Result<T> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let python = custom(decision_maker);
    let result = run_with(py, how, |p| run(python.as_ref().map(|d| d as &dyn DecisionMaker), p));
    if let Some(e) = python.and_then(|d| d.error.into_inner().expect("not poisoned")) {
        return Err(e);
    }
    to_python(py, &result?)
}

/// A library analysis of an MDP from a Python dict of its request's fields
/// (`what` names the request in errors), run as `how` says.
fn on_mdp<'py, R: serde::de::DeserializeOwned + Sync, T: serde::Serialize + Send>(
    py: Python<'py>,
    mdp: &Mdp,
    what: &str,
    request: &Bound<'py, PyAny>,
    how: Run,
    analysis: fn(&powerseek::mdp::Mdp, &R, &dyn Progress) -> powerseek::Result<T>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: R = from_python(what, request)?;
    let report = run_with(py, how, |p| analysis(&mdp.inner, &request, p))?;
    to_python(py, &report)
}

/// `retarget orbit`: orbit tendencies of several decision-makers, or of a
/// Python one (see `powerseek.retarget_orbit`).
#[pyfunction]
#[pyo3(signature = (request, decision_maker = None, progress = None, threads = None))]
pub(crate) fn orbit<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    decision_maker: Option<&Bound<'py, PyAny>>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: OrbitRequest = from_python("orbit request", request)?;
    with_custom(py, decision_maker, Run::new(progress, threads), |dm, p| {
        retarget::orbit(&request, dm, p)
    })
}

/// `retarget check` (see `powerseek.retarget_check`).
#[pyfunction]
#[pyo3(signature = (request, decision_maker = None, progress = None, threads = None))]
pub(crate) fn check<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    decision_maker: Option<&Bound<'py, PyAny>>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: CheckRequest = from_python("check request", request)?;
    with_custom(py, decision_maker, Run::new(progress, threads), |dm, p| {
        retarget::check(&request, dm, p)
    })
}

/// `retarget mdp` (see `powerseek.retarget_mdp`).
#[pyfunction]
#[pyo3(signature = (mdp, request, progress = None, threads = None))]
pub(crate) fn mdp_tendency<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    request: &Bound<'py, PyAny>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    on_mdp::<MdpTendencyRequest, _>(
        py,
        mdp,
        "retarget mdp request",
        request,
        Run::new(progress, threads),
        retarget::mdp_tendency,
    )
}

/// `retarget learned` (see `powerseek.retarget_learned`).
#[pyfunction]
#[pyo3(signature = (mdp, request, progress = None, threads = None))]
pub(crate) fn learned<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    request: &Bound<'py, PyAny>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    on_mdp::<LearnedRequest, _>(
        py,
        mdp,
        "retarget learned request",
        request,
        Run::new(progress, threads),
        retarget::learned,
    )
}

/// Trained tendencies (see `powerseek.trained_tendency`): a Python trainer,
/// or the request's built-in Q-learner when `trainer` is None.
#[pyfunction]
#[pyo3(signature = (mdp, request, trainer = None, progress = None, threads = None))]
pub(crate) fn trained_tendency<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    request: &Bound<'py, PyAny>,
    trainer: Option<&Bound<'py, PyAny>>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    use retarget::trained::{TrainedRequest, Trainer};
    let request: TrainedRequest = from_python("trained tendency request", request)?;
    let inner = &mdp.inner;
    let state = retarget::FirstMoves::resolve(inner, request.state.as_deref(), &request.a, &request.b)
        .map_err(py_err)?
        .state;
    let python = trainer.map(|f| PyTrainer {
        f: f.clone().unbind(),
        mdp: inner,
        state,
        error: Mutex::new(None),
    });
    let result = run_with(py, Run::new(progress, threads), |p| {
        retarget::trained::trained_tendency(inner, &request, python.as_ref().map(|t| t as &dyn Trainer), p)
    });
    if let Some(e) = python.and_then(|t| t.error.into_inner().expect("not poisoned")) {
        return Err(e);
    }
    to_python(py, &result?)
}

/// The trained-tendency report of summed per-orbit counts (the shards of a
/// distributed run): `counts` one `{b_more, equal, a_more}` per orbit.
#[pyfunction]
#[pyo3(signature = (mdp, request, trainer, counts))]
pub(crate) fn trained_report<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    request: &Bound<'py, PyAny>,
    trainer: Option<String>,
    counts: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: retarget::trained::TrainedRequest = from_python("trained tendency request", request)?;
    let counts: Vec<retarget::Tendency> = from_python("orbit counts", counts)?;
    let report =
        retarget::trained::trained_report(&mdp.inner, &request, trainer.as_deref(), &counts).map_err(py_err)?;
    to_python(py, &report)
}

/// `retarget compatible` (see `powerseek.training_compatible`).
#[pyfunction]
#[pyo3(signature = (mdp, request, progress = None, threads = None))]
pub(crate) fn compatible<'py>(
    py: Python<'py>,
    mdp: &Mdp,
    request: &Bound<'py, PyAny>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    on_mdp::<retarget::compatible::CompatibleRequest, _>(
        py,
        mdp,
        "compatible request",
        request,
        Run::new(progress, threads),
        retarget::compatible::compatible,
    )
}

/// `retarget mean` (see `powerseek.retarget_mean`).
#[pyfunction]
#[pyo3(signature = (request, decision_maker = None))]
pub(crate) fn mean_dominance<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    decision_maker: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: MeanRequest = from_python("mean request", request)?;
    with_custom(py, decision_maker, Run::default(), |dm, p| {
        retarget::mean_dominance(&request, dm, p)
    })
}

/// `retarget cycle` (see `powerseek.retarget_cycle`).
#[pyfunction]
#[pyo3(signature = (request, decision_maker = None))]
pub(crate) fn most_cycle<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    decision_maker: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: CycleRequest = from_python("cycle request", request)?;
    with_custom(py, decision_maker, Run::default(), |dm, p| {
        retarget::most_cycle(&request, dm, p)
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mean_dominance, m)?)?;
    m.add_function(wrap_pyfunction!(most_cycle, m)?)?;
    m.add_function(wrap_pyfunction!(orbit, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(mdp_tendency, m)?)?;
    m.add_function(wrap_pyfunction!(learned, m)?)?;
    m.add_function(wrap_pyfunction!(trained_tendency, m)?)?;
    m.add_function(wrap_pyfunction!(trained_report, m)?)?;
    m.add_function(wrap_pyfunction!(compatible, m)?)?;
    m.add("TENDENCY_CHUNK", retarget::TENDENCY_CHUNK)?;
    Ok(())
}
