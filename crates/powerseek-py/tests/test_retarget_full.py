"""Retargetability in full from Python: groups, Θ, distinctness, scalar, orbit means, cycles, retarget_mdp u/n."""

import json
import subprocess

import numpy as np

import powerseek
from conftest import EXAMPLES


def run_json(cli, *args):
    out = subprocess.run([cli, *map(str, args), "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def test_distinctness_decides_and_matches_the_cli(cli):
    r = powerseek.retarget_check([10, 5, 0], [2], [0, 1], n=3, parameters=0)
    o = r["orbits"][0]
    assert (o["a_favoured"], o["b_favoured"]) == (2, 4)
    assert not o["retargetable"] and o["retargetable_without_distinctness"]
    assert r["result"] == "not_distinct"
    doc = run_json(cli, "retarget", "check", "--u", "10,5,0", "--a", "3", "--b", "1,2", "--n", 3, "--parameters", 0)
    assert doc["result"] == "not_distinct" and doc["orbits"][0]["witnesses"] == [
        {"parameter": w["parameter"], "retargeted": w["retargeted"]} for w in o["witnesses"]
    ]
    loose = powerseek.retarget_check([10, 5, 0], [2], [0, 1], n=3, parameters=0, distinct=False)
    assert loose["result"] == "witness"
    scalar = powerseek.retarget_check([10, 5, 0], [2], [0, 1], parameters=0, scalar=True)
    assert scalar["condition"] == "scalar" and scalar["result"] == "witness"


def table(utilities):
    k = int(np.argmax(utilities))
    rows = [[3, 1, 2], [2, 3, 1], [1, 2, 3]]
    return np.array(rows[k], dtype=float) / 6


def test_cycle_search_and_orbit_means_with_a_python_decision_maker():
    cyclic = [[1, 2, 0]]
    r = powerseek.retarget_cycle([1, 2, 3], [[0], [1], [2]], decision=table, generators=cyclic)
    assert r["group_order"] == 3 and sorted(r["cycle"]) == [0, 1, 2]
    m = powerseek.retarget_mean([1, 2, 3], [0], [1], decision=table, generators=cyclic)
    assert abs(m["results"][0]["difference"]) < 1e-12
    mins = powerseek.retarget_mean([10, 5, 0], [2], [0, 1], decision="uniform", aggregator="min")
    assert abs(mins["results"][0]["aggregate_b"] - 2 / 3) < 1e-12
    o = powerseek.retarget_orbit([10, 5, 0], [2], [0, 1], decision="argmax", generators=cyclic)
    assert o["orbit_size"] == 3 and o["results"][0]["b_more"] == 2


def test_retarget_mdp_u_and_n(cli):
    fork = powerseek.load_mdp(EXAMPLES / "fork.json")
    u = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    r = powerseek.retarget_mdp(fork, "left", "right", u=u, n=2, decision="argmax")
    assert r["parameters"] == 1 and r["n"] == 2 and r["u"] == u
    doc = run_json(cli, "retarget", "mdp", EXAMPLES / "fork.json", "--a", "left", "--b", "right", "--u", ",".join(map(str, u)), "--n", 2, "--decision", "argmax")
    assert doc["worst_orbit"] == r["worst_orbit"]
