"""POMDP POWER from Python: the same report as the CLI's JSON, and the fully
observed case against the MDP estimator."""

import json
import subprocess
from pathlib import Path

import pytest

import powerseek

ROOT = Path(__file__).resolve().parents[3]
TIGER = ROOT / "examples" / "tiger.pomdp"
CHAIN = """discount: 0.9
states: a b c
actions: l r
start: b
T: l : a
0.8 0.2 0
T: l : b
0.7 0.1 0.2
T: l : c
0 0.6 0.4
T: r : a
0.3 0.7 0
T: r : b
0 0.2 0.8
T: r : c
0 0 1
"""


def test_finite_horizon_fields_and_exactness():
    r = powerseek.pomdp_power(TIGER, horizon=4, samples=100, seed=3)
    assert r["exact"] and r["reached"] and r["horizon"] == 4
    assert r["power"] == r["power_lower"] == r["power_upper"]
    assert r["observations"] == ["tiger-left", "tiger-right"]
    assert [a["action"] for a in r["first_actions"]] == ["listen", "open-left", "open-right"]
    assert 0.0 <= r["power"]["mean"] <= 1.0


def test_same_report_as_the_cli_json(cli):
    for args, options in [
        (["--horizon", "3", "-n", "50", "--seed", "2"], dict(horizon=3, samples=50, seed=2)),
        (["--gamma", "0.8", "-n", "10", "--seed", "4"], dict(gamma=0.8, samples=10, seed=4)),
    ]:
        out = subprocess.run([cli, "pomdp", "power", str(TIGER), *args, "--format", "json"], check=True, capture_output=True, text=True)
        # Through JSON, as the CLI writes it (tuples become lists).
        assert json.loads(out.stdout) == json.loads(json.dumps(powerseek.pomdp_power(TIGER, **options)))


def test_fully_observed_horizon_one_is_the_mdp_zero_limit(tmp_path):
    path = tmp_path / "chain.mdp"
    path.write_text(CHAIN)
    r = powerseek.pomdp_power(path, horizon=1, samples=300, seed=5)
    assert r["fully_observed"]
    mdp = powerseek.load_mdp(str(path))
    want = powerseek.power(mdp, gamma=0.0, samples=300, seed=5)
    mean = float(want["power"][1])
    assert abs(r["power"]["mean"] - mean) < 1e-12


def test_discounted_bracket_and_bad_options():
    r = powerseek.pomdp_power(TIGER, gamma=0.8, samples=20, seed=1, tolerance=1e-3)
    assert not r["exact"]
    assert r["power_lower"]["mean"] <= r["power_upper"]["mean"]
    assert r["max_gap"] <= 1e-3 or not r["reached"]
    with pytest.raises(ValueError, match="sum to 0.9"):
        powerseek.pomdp_power(TIGER, horizon=2, belief=[0.5, 0.4])
    with pytest.raises(ValueError, match="unknown field"):
        powerseek.pomdp_power(TIGER, horizn=2)


def test_retarget_pomdp_matches_the_cli(cli):
    out = subprocess.run([cli, "retarget", "pomdp", str(TIGER), "--a", "open-left", "--b", "listen", "--horizon", "2", "--format", "json"], check=True, capture_output=True, text=True)
    r = powerseek.retarget_pomdp(TIGER, "open-left", "listen", horizon=2)
    assert json.loads(out.stdout) == json.loads(json.dumps(r))
    assert r["outcomes_b"] > r["outcomes_a"] >= 1
    with pytest.raises(ValueError, match="unknown action 'jump'"):
        powerseek.retarget_pomdp(TIGER, "jump", "listen")


def test_retarget_pomdp_over_memoryless_policies(cli):
    out = subprocess.run([cli, "retarget", "pomdp", str(TIGER), "--a", "open-left", "--b", "listen", "--policies", "memoryless", "--format", "json"], check=True, capture_output=True, text=True)
    r = powerseek.retarget_pomdp(TIGER, "open-left", "listen", policies="memoryless")
    assert json.loads(out.stdout) == json.loads(json.dumps(r))
    assert r["policies"] == "memoryless" and r["horizon"] is None
    with pytest.raises(ValueError, match="no horizon"):
        powerseek.retarget_pomdp(TIGER, "open-left", "listen", policies="memoryless", horizon=3)
