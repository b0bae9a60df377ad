"""The CLI's --format json and the Python result carry the same values for the
same inputs: both front ends call one library function and serialise its report
once (POWER, orbit tendencies, retarget check/mdp/learned, two-agent POWER and
ρ sweeps, conflict simulate/infer/phase/calibrate)."""

import json
import math
import subprocess

import numpy as np
import pytest

import powerseek
from powerseek import _native
from conftest import EXAMPLES


def run_json(cli, *args):
    out = subprocess.run([cli, *map(str, args), "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def run_error(cli, *args):
    r = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    return r.stderr


def plain(x):
    """Python values as JSON has them: tuples and arrays as lists, NaN as None."""
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return plain(x.tolist())
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def same_report(doc, result, skip=("seconds",)):
    """Every field of the CLI's JSON is in the Python result with the same value."""
    for key, value in doc.items():
        if key in skip:
            continue
        assert key in result, f"Python result lacks '{key}'"
        assert plain(result[key]) == value, f"'{key}' differs"


def means(estimates):
    return plain(powerseek._nested(lambda e: e["mean"], estimates))


def ses(estimates):
    return plain(powerseek._nested(lambda e: e["se"], estimates))


# POWER ---------------------------------------------------------------------


def test_power(cli):
    path = EXAMPLES / "fork.json"
    doc = run_json(cli, "power", path, "-n", 2000, "--seed", 3, "--gamma", 0.7)
    r = powerseek.power(powerseek.load_mdp(path), gamma=0.7, samples=2000, seed=3)
    same_report(doc, r)
    assert plain(r["power"]) == [s["power"]["mean"] for s in doc["states"]]
    assert plain(r["se"]) == [s["power"]["se"] for s in doc["states"]]


def test_power_solver_and_sampling_options(cli):
    path = EXAMPLES / "fork.json"
    mdp = powerseek.load_mdp(path)
    doc = run_json(cli, "power", path, "--target-se", 0.02, "--max-samples", 5000, "--seed", 1)
    r = powerseek.power(mdp, target_se=0.02, max_samples=5000, seed=1)
    same_report(doc, r)
    assert 1000 <= doc["samples"] <= 5000
    doc = run_json(cli, "power", path, "--method", "pi", "-n", 300, "--gamma", 0.99)
    same_report(doc, powerseek.power(mdp, method="pi", samples=300, gamma=0.99))
    stderr = run_error(cli, "power", EXAMPLES / "slippery.mdp", "-n", 8, "--max-iterations", 1)
    assert "--max-iterations: value iteration did not reach tolerance" in stderr
    with pytest.raises(ValueError, match="max_iterations: value iteration did not reach tolerance"):
        powerseek.power(powerseek.load_mdp(EXAMPLES / "slippery.mdp"), samples=8, max_iterations=1)


def test_power_limits_and_the_files_discount(cli, tmp_path):
    # Without gamma both use the file's discount (here 0.5), else 0.9; 0 and 1 are the limits.
    mdp = json.loads((EXAMPLES / "fork.json").read_text()) | {"discount": 0.5}
    path = tmp_path / "discounted.json"
    path.write_text(json.dumps(mdp))
    doc = run_json(cli, "power", path, "-n", 500)
    r = powerseek.power(powerseek.load_mdp(path), samples=500)
    assert doc["gamma"] == r["gamma"] == "0.5"
    same_report(doc, r)
    for gamma, text in [(0, "0 (limit)"), (1, "1 (limit)")]:
        doc = run_json(cli, "power", path, "-n", 500, "-g", gamma)
        r = powerseek.power(powerseek.load_mdp(path), gamma=gamma, samples=500)
        assert doc["gamma"] == r["gamma"] == text
        same_report(doc, r)
    # The same library error for a discount outside [0, 1], negative values included.
    assert "gamma = -0.5 is outside (0, 1)" in run_error(cli, "power", path, "-g", "-0.5")
    with pytest.raises(ValueError, match=r"gamma = -0.5 is outside \(0, 1\)"):
        powerseek.power(powerseek.load_mdp(path), gamma=-0.5)


# Retargeting ---------------------------------------------------------------


def test_orbit_tendency(cli):
    u = [0.3, 0.9, 0.1, 0.5]
    doc = run_json(cli, "retarget", "orbit", "--u", "0.3,0.9,0.1,0.5", "--a", "1", "--b", "2,3")
    r = powerseek.retarget_orbit(u, [0], [1, 2])
    assert plain(r) == doc
    assert [row["decision"] for row in doc["results"]][:2] == ["argmax", "argmin"]  # the default set
    assert doc["n"] == 2  # default: two disjoint copies of A in B
    argmax = powerseek.orbit_tendency("argmax", u, [0], [1, 2])
    assert argmax == {k: doc["results"][0][k] for k in ("b_more", "equal", "a_more", "total")}
    # Sampled, over random parameters, with negative utilities.
    args = ["--u", "-1,2,-3,4,0.5", "--a", "2", "--b", "1,3", "--decision", "boltzmann:2,best-of:3"]
    for extra, kwargs in [
        (["--samples", 5000, "--seed", 9], dict(samples=5000, seed=9)),
        (["--parameters", 3, "--seed", 2, "--n", 1], dict(parameters=3, seed=2, n=1)),
    ]:
        doc = run_json(cli, "retarget", "orbit", *args, *extra)
        r = powerseek.retarget_orbit([-1, 2, -3, 4, 0.5], [1], [0, 2], decision="boltzmann:2,best-of:3", **kwargs)
        assert plain(r) == doc


def test_orbit_enumeration_bound_is_the_librarys(cli):
    u = list(range(25))
    message = "the parameter has 25 entries; whole orbits are enumerated only up to 20"
    assert message in run_error(cli, "retarget", "orbit", "--u", ",".join(map(str, u)), "--a", "1", "--b", "2")
    with pytest.raises(ValueError, match=message):
        powerseek.retarget_orbit(u, [0], [1])
    with pytest.raises(ValueError, match=message):
        powerseek.orbit_tendency("argmax", u, [0], [1])
    assert powerseek.orbit_tendency("argmax", u, [0], [1], samples=100)["total"] == 100


def test_retarget_check(cli):
    doc = run_json(cli, "retarget", "check", "--u", "1,2,3,4,5", "--a", "2", "--b", "1,3,4,5", "--n", 4)
    r = powerseek.retarget_check([1, 2, 3, 4, 5], [1], [0, 2, 3, 4], n=4)
    assert plain(r) == doc
    assert doc["result"] == "witness" and len(doc["permutations"]) == 4
    doc = run_json(cli, "retarget", "check", "--u", "1,2,3", "--a", "1", "--b", "2,3", "--decision", "argmin")
    assert plain(powerseek.retarget_check([1, 2, 3], [0], [1, 2], decision="argmin")) == doc


def test_retarget_mdp_and_learned(cli):
    fork = EXAMPLES / "fork.json"
    doc = run_json(cli, "retarget", "mdp", fork, "--a", "left", "--b", "right", "--parameters", 3)
    r = powerseek.retarget_mdp(powerseek.load_mdp(fork), "left", "right", parameters=3)
    assert plain(r) == doc
    assert (doc["outcomes_a"], doc["outcomes_b"]) == (1, 3) and doc["gamma"] == 0.9
    grid = EXAMPLES / "options.grid"
    doc = run_json(cli, "retarget", "learned", grid, "--a", "left", "--b", "right", "--agents", 60, "--seed", 5)
    r = powerseek.retarget_learned(powerseek.load_mdp(grid), "left", "right", agents=60, seed=5)
    assert plain(r) == doc
    assert doc["result"]["agents"] == 60
    args = ("--learner", "linear", "--features", 4)
    doc = run_json(cli, "retarget", "learned", grid, "--a", "left", "--b", "right", "--agents", 60, *args)
    r = powerseek.retarget_learned(powerseek.load_mdp(grid), "left", "right", agents=60, learner="linear", features=4)
    assert plain(r) == doc and doc["training"]["features"] == 4


def test_retarget_trained(cli):
    fork = EXAMPLES / "fork.json"
    args = ("--a", "left", "--b", "right", "--parameters", 2, "--samples", 40, "--episodes", 50, "--learner", "linear")
    doc = run_json(cli, "retarget", "trained", fork, *args)
    settings = dict(episodes=50)
    r = powerseek.trained_tendency(powerseek.load_mdp(fork), "linear", "left", "right", parameters=2, samples=40, training=settings)
    assert plain(r) == doc
    assert doc["trained"] == 80


def test_retarget_compatible(cli):
    shutdown = EXAMPLES / "shutdown.json"
    args = ("--a", "shutdown", "--b", "continue", "--observed", "train=right", "--samples", 3000, "--seed", 2)
    doc = run_json(cli, "retarget", "compatible", shutdown, *args)
    r = powerseek.training_compatible(powerseek.load_mdp(shutdown), {"train": "right"}, "shutdown", "continue", samples=3000, seed=2)
    assert plain(r) == doc
    assert doc["training"] == [{"state": "train", "action": "right"}]


# Two agents ----------------------------------------------------------------

GRID = EXAMPLES / "powerplay3x3.grid"


def check_two_agent(doc, r, raw):
    """The raw report equals the JSON; the public result's arrays are its numbers."""
    assert plain(raw) == doc
    same_report({k: v for k, v in doc.items() if k not in powerseek._TWO_AGENT_ESTIMATES + ("per_cell",)}, r)
    assert plain(r["power"]) == means(doc["power"])
    assert plain(r["se"]) == ses(doc["power"])
    assert plain(r["total"]) == means(doc["total"])
    assert plain(r["mean_power"]) == means(doc["mean_power"])
    assert plain(r["mean_power_se"]) == ses(doc["mean_power"])
    assert plain(r["mean_total"]) == doc["mean_total"]["mean"]
    assert plain(r["per_cell"]) == doc["per_cell"]


def test_two_agent_power(cli):
    cli_args = ["--turns", "simultaneous", "--other", "powerplay", "-g", 0.2, "-n", 60, "--seed", 4, "--rho", -0.5]
    options = dict(turns="simultaneous", other="powerplay", gamma=0.2, samples=60, seed=4)
    doc = run_json(cli, "multi", "power", GRID, *cli_args)
    grid = powerseek.load_mdp(GRID)
    r = powerseek.sequential_power(grid, rho=-0.5, **options)
    raw = _native.multi_power(grid, options, -0.5)
    check_two_agent(doc, r, raw)
    assert doc["rho"] == -0.5 and doc["joint_states"] == 81
    # The other agent's cell, rewards per cell, A's own discount.
    cli_args = ["--other-at", "(1,1)", "--reward-on", "cell", "--gamma-other", 0.5, "-n", 30, "--interval", "-1,1"]
    options = dict(other_at="(1,1)", reward_on="cell", gamma_other=0.5, samples=30, interval=(-1, 1))
    doc = run_json(cli, "multi", "power", GRID, *cli_args)
    check_two_agent(doc, powerseek.sequential_power(grid, **options), _native.multi_power(grid, options))
    assert doc["gamma"] == [0.9, 0.5] and doc["other_at"] == "(1,1)"


def test_rho_sweep(cli):
    cli_args = ["--turns", "simultaneous", "--other", "powerplay", "-g", 0.6, "-n", 40, "--rhos", "-1,0,1"]
    options = dict(turns="simultaneous", other="powerplay", gamma=0.6, samples=40)
    doc = run_json(cli, "multi", "sweep", GRID, *cli_args)
    grid = powerseek.load_mdp(GRID)
    r = powerseek.rho_sweep(grid, [-1, 0, 1], **options)
    assert plain(_native.multi_sweep(grid, options, [-1.0, 0.0, 1.0])) == doc
    assert plain(r["rho"]) == [p["rho"] for p in doc["points"]] == [-1, 0, 1]
    for k, p in enumerate(doc["points"]):
        assert plain(r["power"][k]) == means(p["power"])
        assert plain(r["mean_total"][k]) == p["mean_total"]["mean"]
        assert plain(r["per_cell"][k]) == p["per_cell"]
        assert r["reward_correlation"][k] == p["reward_correlation"]
    assert plain(r["points"]) == doc["points"]
    # steps:K is the library's too.
    doc = run_json(cli, "multi", "sweep", GRID, "-n", 5, "--rhos", "steps:3")
    assert [p["rho"] for p in doc["points"]] == [-1.0, 0.0, 1.0]


def test_more_than_two_agents(cli):
    doc = run_json(cli, "multi", "power", GRID, "--agents", 3, "--focal", 1, "--no-overlap", "-n", 20, "--tolerance", 1e-4)
    grid = powerseek.load_mdp(GRID)
    options = dict(agents=3, focal=1, no_overlap=True, samples=20, tolerance=1e-4)
    r = powerseek.sequential_power(grid, **options)
    assert plain(_native.multi_power(grid, options)) == doc
    assert doc["joint_states"] == 9 * 8 * 7 and doc["tolerance"] == 1e-4
    assert plain(r["power"]) == means(doc["power"])
    # Options that need two agents are errors in both front ends, not ignored.
    for flag, value, kwarg in [
        ("--rho", "0.5", dict(rho=0.5)),
        ("--gamma-other", "0.5", dict(gamma_other=0.5)),
        ("--other-at", "(1,1)", dict(other_at="(1,1)")),
        ("--other", "optimal", dict(other="optimal")),
    ]:
        name = flag[2:].replace("-", "_")
        assert f"{flag}: defined for two agents" in run_error(cli, "multi", "power", GRID, "--agents", 3, flag, value)
        with pytest.raises(ValueError, match=f"{name}: defined for two agents"):
            powerseek.sequential_power(grid, agents=3, **kwarg)


def test_response_rules_are_the_librarys(cli, tmp_path):
    grid = powerseek.load_mdp(GRID)
    fixed = "the response 'fixed' follows A's seed policy, and none was given"
    assert f"--seed-policy: {fixed}" in run_error(cli, "multi", "power", GRID, "--other", "fixed", "-n", 5)
    with pytest.raises(ValueError, match=f"seed_policy: {fixed}"):
        powerseek.sequential_power(grid, other="fixed", samples=5)
    # A seed policy with 'random' would be ignored: an error in both.
    names = powerseek.sequential_power(grid, samples=2)["state_names"]
    policy = json.dumps({s: {"stay": 1.0} for s in names})
    path = tmp_path / "policy.json"
    path.write_text(policy)
    ignored = "the response 'random' is the uniform policy and would ignore the seed policy"
    assert ignored in run_error(cli, "multi", "power", GRID, "--seed-policy", path, "-n", 5)
    with pytest.raises(ValueError, match=ignored):
        powerseek.sequential_power(grid, seed_policy=policy, samples=5)
    # 'fixed' with the policy: the same numbers.
    doc = run_json(cli, "multi", "power", GRID, "--other", "fixed", "--seed-policy", path, "-n", 10)
    raw = _native.multi_power(grid, dict(other="fixed", seed_policy=policy, samples=10))
    assert plain(raw) == doc
    assert "--other-at: '(7,7)' is not a cell" in run_error(cli, "multi", "power", GRID, "--other-at", "(7,7)")
    with pytest.raises(ValueError, match=r"other_at: '\(7,7\)' is not a cell"):
        powerseek.sequential_power(grid, other_at="(7,7)")


# Conflict ------------------------------------------------------------------


def test_conflict_simulate(cli):
    for name in ("conflict-little-to-lose.toml", "conflict-much-to-lose.toml"):
        path = EXAMPLES / name
        doc = run_json(cli, "conflict", "simulate", path)
        assert plain(powerseek.conflict_simulate(path.read_text())) == doc


def test_conflict_phase(cli):
    args = ["--ratio", 0.5, "--grid", 11, "--contest-exponent", 0.5, "--temperature", 0.05]
    doc = run_json(cli, "conflict", "phase", *args)
    d = powerseek.conflict_phase(0.5, n_alignment=11, n_cost=11, contest_exponent=0.5, temperature=0.05)
    assert d["probability"].shape == (11, 11)
    same_report({k: v for k, v in doc.items() if k not in ("probability", "gain")}, d)
    assert plain(d["probability"].ravel()) == doc["probability"]
    assert plain(d["gain"].ravel()) == doc["gain"]
    # Defaults are the library's: ratio 1/3, 101 points per axis.
    doc = run_json(cli, "conflict", "phase")
    d = powerseek.conflict_phase()
    assert doc["power_ratio"] == d["power_ratio"] and d["probability"].shape == (101, 101)


def test_conflict_infer_and_calibrate(cli):
    path = EXAMPLES / "conflict-observations.toml"
    doc = run_json(cli, "conflict", "infer", path, "--grid", 21)
    d = powerseek.conflict_infer(path.read_text(), grid=21)
    same_report({k: v for k, v in doc.items() if k != "density"}, d)
    assert plain(d["density"].ravel()) == doc["density"]
    doc = run_json(cli, "conflict", "infer", "--truth", "-0.4,0.2", "--episodes", 40, "--seed", 3, "--grid", 21)
    d = powerseek.conflict_infer(truth=(-0.4, 0.2), episodes=40, seed=3, grid=21)
    same_report({k: v for k, v in doc.items() if k != "density"}, d)
    assert doc["truth"] == [-0.4, 0.2] and doc["decisions"] == 40
    message = "alignment must be in [−1, 1] and cost in [0, 1]"
    assert message in run_error(cli, "conflict", "infer", "--truth", "-2,0.2")
    with pytest.raises(ValueError, match=r"alignment must be in \[−1, 1\]"):
        powerseek.conflict_infer(truth=(-2, 0.2))
    doc = run_json(cli, "conflict", "calibrate", "--replicates", 4, "--grid", 11, "--episodes", 10)
    assert plain(powerseek.conflict_calibrate(replicates=4, grid=11, episodes=10)) == doc
