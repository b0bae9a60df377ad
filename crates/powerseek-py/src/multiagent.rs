//! Several agents in a shared gridworld (docs/theory.md §8): the library's two-agent POWER and
//! ρ-sweep reports (`multiagent::power`, `multiagent::sweep`), with the
//! options as one dict of the library's `MultiRequest` fields.

use pyo3::prelude::*;

use crate::mdp::Mdp;
use crate::{from_python, run_with, to_python, Run};
use powerseek::multiagent::{self, MultiRequest};

/// Each agent's POWER at one reward correlation, as `powerseek multi power`
/// (more than two agents: the focal agent's POWER against random others).
#[pyfunction]
#[pyo3(signature = (grid, request, rho = None, progress = None, threads = None))]
pub(crate) fn multi_power<'py>(
    py: Python<'py>,
    grid: &Mdp,
    request: &Bound<'py, PyAny>,
    rho: Option<f64>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: MultiRequest = from_python("two-agent options", request)?;
    let report = run_with(py, Run::new(progress, threads), |p| {
        multiagent::power(&grid.inner, &request, rho, p)
    })?;
    to_python(py, &report)
}

/// Both agents' POWER at each ρ, as `powerseek multi sweep`.
#[pyfunction]
#[pyo3(signature = (grid, request, rhos, progress = None, threads = None))]
pub(crate) fn multi_sweep<'py>(
    py: Python<'py>,
    grid: &Mdp,
    request: &Bound<'py, PyAny>,
    rhos: Vec<f64>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: MultiRequest = from_python("two-agent options", request)?;
    let report = run_with(py, Run::new(progress, threads), |p| {
        multiagent::sweep(&grid.inner, &request, &rhos, p)
    })?;
    to_python(py, &report)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(multi_power, m)?)?;
    m.add_function(wrap_pyfunction!(multi_sweep, m)?)?;
    Ok(())
}
