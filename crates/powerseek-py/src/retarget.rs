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
    let request: MdpTendencyRequest = from_python("retarget mdp request", request)?;
    let report = run_with(py, Run::new(progress, threads), |p| {
        retarget::mdp_tendency(&mdp.inner, &request, p)
    })?;
    to_python(py, &report)
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
    let request: LearnedRequest = from_python("retarget learned request", request)?;
    let report = run_with(py, Run::new(progress, threads), |p| {
        retarget::learned(&mdp.inner, &request, p)
    })?;
    to_python(py, &report)
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
    m.add("TENDENCY_CHUNK", retarget::TENDENCY_CHUNK)?;
    Ok(())
}
