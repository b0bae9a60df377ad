"""MDPs and POWER from Python: numpy in and out, same numbers as the CLI, clear errors."""

import _thread
import json
import pickle
import subprocess
import threading

import numpy as np
import pytest

import powerseek
from conftest import EXAMPLES


def test_power_matches_the_cli_json_for_the_same_seed(cli):
    path = EXAMPLES / "fork.json"
    out = subprocess.run(
        [cli, "power", str(path), "-n", "3000", "--seed", "11", "--gamma", "0.8", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    doc = json.loads(out.stdout)
    r = powerseek.power(powerseek.load_mdp(path), gamma=0.8, samples=3000, seed=11)
    assert r["samples"] == doc["samples"] == 3000
    for s, state in enumerate(doc["states"]):
        assert r["power"][s] == pytest.approx(state["power"]["mean"], rel=0, abs=0)
        assert r["se"][s] == state["power"]["se"]
        assert list(r["ci95"][s]) == state["power"]["ci95"]
        for k, action in enumerate(state["actions"]):
            assert r["optimal_share"][s, k] == action["optimal_share"]
    assert isinstance(r["power"], np.ndarray) and r["power"].dtype == np.float64


def test_numpy_transitions_give_the_same_mdp_as_the_file():
    grid = powerseek.gridworld("T.T\n")
    # The same corridor by hand: states 0, 1, 2; actions left, right, stay.
    t = np.zeros((3, 3, 3))
    t[0, 2, 0] = 1.0  # terminal: stay only
    t[2, 2, 2] = 1.0
    t[1, 0, 0] = t[1, 1, 2] = t[1, 2, 1] = 1.0
    hand = powerseek.mdp_from_numpy(t, action_names=["left", "right", "stay"])
    assert hand.actions == [["stay"], ["left", "right", "stay"], ["stay"]]
    a = powerseek.power(grid, gamma=0.5, samples=500, seed=3)
    b = powerseek.power(hand, gamma=0.5, samples=500, seed=3)
    np.testing.assert_array_equal(a["power"], b["power"])
    # Closed form at γ → 0: the middle cell's POWER is E[max of 3 U(0,1)] = 3/4.
    z = powerseek.power(hand, gamma=0.0, samples=40_000, seed=1)
    assert abs(z["power"][1] - 0.75) < 4 * z["se"][1]
    # Pickling (how Ray ships an MDP) keeps the MDP; gridworlds keep their layout
    # (two-agent environments need it).
    assert pickle.loads(pickle.dumps(grid)).state_names == grid.state_names
    powerseek.sequential_power(pickle.loads(pickle.dumps(grid)), samples=4)
    again = pickle.loads(pickle.dumps(hand))
    np.testing.assert_array_equal(powerseek.power(again, gamma=0.5, samples=500, seed=3)["power"], b["power"])


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((3, 3)), "3 dimensions"),
        (np.zeros((2, 1, 3)), "shape (S, A, S)"),
        (np.array([[["a"]]]), "numeric"),
        (np.full((1, 1, 1), 0.5), "sum to 0.5"),
        (np.full((1, 1, 1), np.nan), "not a finite"),
    ],
)
def test_bad_transition_arrays_raise_value_errors(bad, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        powerseek.mdp_from_numpy(bad)


def test_errors_carry_the_cli_messages(tmp_path):
    bad = tmp_path / "bad.grid"
    bad.write_text("S.Q\n")
    with pytest.raises(ValueError, match="bad.grid:1"):
        powerseek.load_mdp(bad)
    with pytest.raises(OSError, match="missing.grid"):
        powerseek.load_mdp(tmp_path / "missing.grid")
    m = powerseek.gridworld("T.T\n")
    with pytest.raises(ValueError, match="gamma"):
        powerseek.power(m, gamma=1.5)
    with pytest.raises(ValueError, match="beta"):
        powerseek.power(m, dist="beta:-1,2")


def test_long_calls_release_the_gil_and_stop_on_ctrl_c():
    maze = powerseek.load_mdp(EXAMPLES / "maze100.grid")
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.01)

    counter = threading.Thread(target=count)
    counter.start()
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            powerseek.power(maze, samples=10_000_000)
    finally:
        stop.set()
        counter.join()
        timer.cancel()
    assert len(ticks) >= 10, "the other Python thread ran while POWER was computed"


def test_power_sweep_is_power_at_each_gamma_and_matches_the_cli(cli):
    path = EXAMPLES / "fork.json"
    mdp = powerseek.load_mdp(path)
    sweep = powerseek.power_sweep(mdp, "0:1:3", samples=2000, seed=5)
    assert sweep["states"] == ["start", "one", "many"]
    assert [p["gamma"] for p in sweep["points"]] == [0.0, 0.5, 1.0]
    # Each point is the single-γ estimate with the same options and seed.
    single = powerseek.power(mdp, gamma=0.5, samples=2000, seed=5)
    mid = sweep["points"][1]["states"][0]
    assert mid["power"]["mean"] == single["power"][0]
    assert [a["optimal_share"] for a in mid["actions"]] == list(single["optimal_share"][0][:2])
    # γ → 1: right is optimal for 3/4 of the reward functions (3 of 4 absorbing states).
    right = sweep["points"][-1]["states"][0]["actions"][1]
    assert right["action"] == "right"
    assert right["ci95"][0] <= 0.75 <= right["ci95"][1]
    out = subprocess.run(
        [cli, "power", str(path), "--gamma", "0:1:3", "-n", "2000", "--seed", "5", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    doc = json.loads(out.stdout)
    # The same numbers (Python gives intervals as tuples, JSON as lists).
    assert doc["points"] == json.loads(json.dumps(sweep["points"]))
    assert set(doc) == set(sweep)
    with pytest.raises(ValueError, match="increase"):
        powerseek.power_sweep(mdp, [0.9, 0.5])
