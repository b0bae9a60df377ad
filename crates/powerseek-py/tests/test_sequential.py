"""Two agents in a gridworld and the conflict model from Python, against the CLI."""

import json
import subprocess

import numpy as np
import pytest

import powerseek
from conftest import EXAMPLES


def test_powerplay_run_matches_the_cli(cli):
    grid = EXAMPLES / "powerplay3x3.grid"
    args = ["--turns", "simultaneous", "--other", "powerplay", "--gamma", "0.2", "-n", "300", "--seed", "4"]
    out = subprocess.run([cli, "multi", "power", str(grid), *args, "--format", "json"], check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    r = powerseek.sequential_power(
        powerseek.load_mdp(grid), turns="simultaneous", other="powerplay", gamma=0.2, samples=300, seed=4
    )
    assert r["power"].shape == (2, 81)
    assert r["mean_power"][0] == doc["mean_power"][0]["mean"]
    assert r["mean_power"][1] == doc["mean_power"][1]["mean"]
    np.testing.assert_array_equal(r["power"][0], [e["mean"] for e in doc["power"][0]])
    assert r["state_names"] == doc["state_names"]


def test_rho_sweep_invariants():
    grid = powerseek.gridworld("...\n...\n...\n")
    r = powerseek.rho_sweep(grid, [-1.0, 0.0, 1.0], turns="simultaneous", other="powerplay", gamma=0.6, samples=50)
    np.testing.assert_allclose(r["power"][0].sum(axis=0), 1.0, atol=1e-5)  # ρ = −1: POWER_H + POWER_A = 1
    np.testing.assert_allclose(r["power"][2][0], r["power"][2][1], atol=1e-5)  # ρ = 1: equal
    assert r["mean_total"][0] < r["mean_total"][1] < r["mean_total"][2]
    with pytest.raises(ValueError, match="outside"):
        powerseek.rho_sweep(grid, [2.0])
    with pytest.raises(ValueError, match="expected random"):
        powerseek.rho_sweep(grid, [0.0], other="clever")


def test_conflict_model():
    d = powerseek.conflict_phase(0.5, n_alignment=11, n_cost=5)
    assert d["probability"].shape == (5, 11)
    # Fully aligned agents (alignment 1) never escalate when conflict destroys power.
    assert d["probability"][-1, -1] == 0.0
    trace = powerseek.conflict_simulate((EXAMPLES / "conflict-much-to-lose.toml").read_text())
    # The left panel of the conflict post (docs/theory.md §9): red has much to lose and stays; nothing happens.
    assert trace["events"] == [] and trace["settled"]
    assert trace["final_powers"] == [3.0, 1.0]
    with pytest.raises(ValueError):
        powerseek.conflict_phase(2.0)
