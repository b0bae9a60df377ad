//! Retargetable decision-makers: orbit tendencies, with decision-makers
//! written in Python.

use std::sync::Mutex;

use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::py_err;
use powerseek::retarget::{Builtin, DecisionMaker, Outcomes};

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
pub(crate) fn orbit_tendency(
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
