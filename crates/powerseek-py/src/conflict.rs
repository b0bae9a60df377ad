//! The vector model of conflict (docs/theory.md §9): the library's reports
//! for `conflict simulate`, `phase`, `infer` and `calibrate`, with options
//! as dicts of the library requests' fields.

use pyo3::prelude::*;

use crate::{from_python, py_err, run_with, to_python, Run};
use powerseek::conflict::{self, CalibrationRequest, InferRequest, ObservationSet, PhaseRequest, Scenario};

/// TOML or JSON text as the library's parsers tell them apart (by the origin's extension).
fn origin(text: &str, stem: &str) -> String {
    let json = text.trim_start().starts_with('{');
    format!("<{stem}>.{}", if json { "json" } else { "toml" })
}

/// Play out a scenario (TOML or JSON text), as `powerseek conflict simulate`.
#[pyfunction]
pub(crate) fn conflict_simulate<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let scenario = Scenario::parse(text, &origin(text, "scenario")).map_err(py_err)?;
    to_python(py, &conflict::simulate(&scenario))
}

/// Phase diagram of escalation over alignment × cost, as `powerseek conflict phase`.
#[pyfunction]
pub(crate) fn conflict_phase<'py>(py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let request: PhaseRequest = from_python("phase options", request)?;
    to_python(py, &conflict::phase(&request).map_err(py_err)?)
}

/// Posterior over alignment and cost from observed (TOML or JSON text) or
/// simulated decisions, as `powerseek conflict infer`.
#[pyfunction]
#[pyo3(signature = (request, observations = None, progress = None, threads = None))]
pub(crate) fn conflict_infer<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    observations: Option<&str>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut request: InferRequest = from_python("inference options", request)?;
    if let Some(text) = observations {
        request.observations = Some(ObservationSet::parse(text, &origin(text, "observations")).map_err(py_err)?);
    }
    let report = run_with(py, Run::new(progress, threads), |_| conflict::infer_request(&request))?;
    to_python(py, &report)
}

/// Coverage of 90% credible intervals, as `powerseek conflict calibrate`.
#[pyfunction]
#[pyo3(signature = (request, progress = None, threads = None))]
pub(crate) fn conflict_calibrate<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: CalibrationRequest = from_python("calibration options", request)?;
    let report = run_with(py, Run::new(progress, threads), |p| conflict::calibrate(&request, p))?;
    to_python(py, &report)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(conflict_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(conflict_phase, m)?)?;
    m.add_function(wrap_pyfunction!(conflict_infer, m)?)?;
    m.add_function(wrap_pyfunction!(conflict_calibrate, m)?)?;
    Ok(())
}
