//! POMDPs (docs/theory.md §12): POWER at a belief of a `.pomdp` file and the
//! first-action tendencies over its policy trees, with the options as one
//! dict of the library's `PomdpPowerRequest` / `PomdpTendencyRequest` fields.

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::{from_python, interruptible, py_err, to_python};
use powerseek::mdp::pomdp::power::{pomdp_power as power, PomdpPowerRequest};
use powerseek::mdp::pomdp::Pomdp;
use powerseek::retarget::PomdpTendencyRequest;

/// POWER at a belief, as `powerseek pomdp power`.
#[pyfunction]
fn pomdp_power<'py>(py: Python<'py>, path: PathBuf, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let request: PomdpPowerRequest = from_python("POMDP POWER options", request)?;
    let model = Pomdp::load(&path).map_err(py_err)?;
    let report = interruptible(py, |p| power(&model, &request, p))?;
    to_python(py, &report)
}

/// First actions at a belief over observation-based policy trees, as `powerseek retarget pomdp`.
#[pyfunction]
fn pomdp_tendency<'py>(py: Python<'py>, path: PathBuf, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let request: PomdpTendencyRequest = from_python("retarget pomdp request", request)?;
    let model = Pomdp::load(&path).map_err(py_err)?;
    let report = interruptible(py, |p| powerseek::retarget::pomdp_tendency(&model, &request, p))?;
    to_python(py, &report)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pomdp_power, m)?)?;
    m.add_function(wrap_pyfunction!(pomdp_tendency, m)?)?;
    Ok(())
}
