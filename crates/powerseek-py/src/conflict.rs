//! The vector model of conflict.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::py_err;

/// The conflict model (docs/theory.md §9): play out a scenario given as TOML text, as JSON text.
#[pyfunction]
pub(crate) fn conflict_simulate(text: &str) -> PyResult<String> {
    let scenario = powerseek::conflict::Scenario::parse(text, "<scenario>.toml").map_err(py_err)?;
    Ok(serde_json::to_string(&powerseek::conflict::simulate(&scenario)).expect("plain data"))
}

/// Phase diagram of escalation over alignment × cost, as JSON text.
#[pyfunction]
pub(crate) fn conflict_phase(model: &str, ratio: f64, n_alignment: usize, n_cost: usize) -> PyResult<String> {
    let m: powerseek::conflict::ConflictModel =
        serde_json::from_str(model).map_err(|e| PyValueError::new_err(format!("conflict model: {e}")))?;
    let d = powerseek::conflict::phase_diagram(&m, ratio, n_alignment, n_cost).map_err(py_err)?;
    Ok(serde_json::to_string(&d).expect("plain data"))
}
