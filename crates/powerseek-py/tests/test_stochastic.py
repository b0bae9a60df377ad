"""Stochastic games from Python: numpy construction, conservation of POWER at
equilibrium in constant-sum games, ΣPOWER − c = total regret at a random
profile, exact finite horizons, parity with the CLI's JSON, clear errors."""

import json
from fractions import Fraction
import subprocess

import numpy as np
import pytest

import powerseek
from conftest import EXAMPLES


def two_state_game():
    # State 0: both choose a or b; matching stays, mismatching moves to state 1.
    # State 1: only player 0 chooses (turn-like), returning or staying.
    actions = [[2, 2], [["back", "stay"], ["wait"]]]
    transitions = [
        np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.5, 0.5]]),
        np.array([[1.0, 0.0], [0.0, 1.0]]),
    ]
    return powerseek.stochastic_game(actions, transitions, players=["H", "A"], states=["s", "t"])


def test_numpy_game_conserves_power_at_equilibrium():
    g = two_state_game()
    assert g.players == ["H", "A"] and g.states == ["s", "t"] and g.n_joint_actions == 6
    r = powerseek.stochastic_power(g, gamma=0.7, rewards="constant-sum", samples=50, seed=3)
    assert r["constant_sum"] == 1.0 and r["target_reached"]
    assert r["power_mean"].shape == (2, 2)
    for t in r["total_power"]:
        assert abs(t["mean"] - 1.0) < 1e-5
    u = powerseek.stochastic_power(g, gamma=0.7, rewards="constant-sum", samples=50, seed=3, method="uniform")
    for t, reg in zip(u["total_power"], u["total_regret"]):
        assert t["mean"] > 1.0
        assert abs(t["mean"] - 1.0 - reg["mean"]) < 1e-6


def test_finite_horizon_is_exact():
    g = two_state_game()
    r = powerseek.stochastic_power(g, steps=3, rewards="constant-sum", samples=5, reward_on="joint-action")
    assert r["exact"] and r["max_exploitability"] == 0.0
    assert all(t["mean"] == 1.0 for t in r["total_power"])


def test_cli_parity(cli):
    path = str(EXAMPLES / "stochastic" / "duel.json")
    ours = powerseek.stochastic_power(powerseek.load_stochastic_game(path), rewards="correlated:-0.5", samples=20, seed=2)
    out = subprocess.run(
        [cli, "stochastic", "power", path, "--rewards", "correlated:-0.5", "-n", "20", "--seed", "2", "--format", "json"],
        check=True,
        capture_output=True,
    )
    doc = json.loads(out.stdout)
    for key, value in doc.items():
        if key != "seconds":
            assert json.loads(json.dumps(ours[key])) == value, key


def test_grid_and_sweep():
    grid = powerseek.gridworld("..\n.#\n")
    g = powerseek.stochastic_game_from_grid(grid, turns="alternating")
    assert g.play == "turn-based"
    s = powerseek.stochastic_sweep(g, [-1.0, 1.0], gamma=0.5, samples=6)
    assert [p["rho"] for p in s["points"]] == [-1.0, 1.0]
    assert abs(s["points"][0]["equilibrium_total"]["mean"] - 1.0) < 1e-5


def test_lambda_sweep_from_common_payoff_to_constant_sum():
    g = powerseek.stochastic_game_from_grid(powerseek.gridworld("..\n.#\n"))
    s = powerseek.stochastic_lambda_sweep(g, [0.0, 1.0], gamma=0.5, samples=6)
    assert s["over"] == "lambda" and list(s["lambda"]) == [0.0, 1.0]
    assert s["power_mean"].shape == (2, 2)
    # Common payoff: both players' POWER agree up to the certified exploitability.
    eps = s["points"][0]["max_exploitability"]
    assert abs(s["power_mean"][0, 0] - s["power_mean"][0, 1]) <= 2 * eps + 1e-9
    assert abs(s["total_mean"][1] - 1.0) <= 2 * s["points"][1]["max_exploitability"] + 1e-9
    with pytest.raises(ValueError, match="lambda"):
        powerseek.stochastic_lambda_sweep(g, [1.5], gamma=0.5, samples=6)


def test_type_profiles_with_a_prior_average_exactly():

    g = two_state_game()
    a = [[1, 0], [0, 1]]  # constant-sum: H's and A's rewards sum to 1 per state
    b = [["1/4", "1/2"], [Fraction(3, 4), 0.5]]
    both = powerseek.stochastic_type_power(g, [("a", a, "1/3"), ("b", b, Fraction(2, 3))], steps=2)
    assert both["exact"] and both["samples"] == 2
    # Constant-sum in every profile: ΣPOWER = 1 exactly at the exact equilibrium.
    assert all(e["mean"] == 1.0 and e["se"] == 0.0 for e in both["total_power"])
    # The prior average is the weighted average of one-profile runs.
    only_a = powerseek.stochastic_type_power(g, [(a, 1)], steps=2)["power_mean"]
    only_b = powerseek.stochastic_type_power(g, [(b, 1)], steps=2)["power_mean"]
    np.testing.assert_allclose(both["power_mean"], only_a / 3 + 2 * only_b / 3, atol=1e-15)
    with pytest.raises(ValueError, match="sum"):
        powerseek.stochastic_type_power(g, [(a, "1/2")], steps=2)
    with pytest.raises(ValueError, match=r"types\[0\].rewards\[1\]\[0\]"):
        powerseek.stochastic_type_power(g, [([[1, 0], ["x", 1]], 1)], steps=2)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="not a probability distribution"):
        powerseek.stochastic_game([[1]], [np.array([[0.5]])])
    with pytest.raises(ValueError, match="rewards"):
        powerseek.stochastic_power(two_state_game(), rewards="bogus")
    with pytest.raises(ValueError, match="unknown field"):
        powerseek.stochastic_power(two_state_game(), colour="red")


def test_incomplete_information_guessing_game():
    # B plays the action its type likes; A earns 1 for matching (rewards on
    # joint actions, A's action fastest). One step: A guesses x, POWER 2/3;
    # two steps against the revealing strategies: (2/3 + 1)/2 = 5/6.
    g = powerseek.load_stochastic_game(str(EXAMPLES / "stochastic" / "guess.json"))
    a = [1, 0, 0, 1]
    profiles = [("B likes x", [a, [1, 1, 0, 0]], "2/3"), ("B likes y", [a, [0, 0, 1, 1]], Fraction(1, 3))]
    one = powerseek.stochastic_incomplete_power(g, profiles, site="joint-action")
    assert one["power"][0][0] == Fraction(2, 3)
    assert one["complete_power"][0][0] == 1
    assert one["equilibrium"] is True
    assert one["types"]["names"][1] == ["B likes x", "B likes y"]
    revealing = [[[["1/2", "1/2"]]], [[[1, 0]], [[0, 1]]]]
    two = powerseek.stochastic_incomplete_power(g, profiles, site="joint-action", steps=2, strategies=revealing)
    assert two["power"][0][0] == Fraction(5, 6)
    assert two["information_value"][0][0] == Fraction(1, 6)
    assert two["equilibrium"] is False
    # Discounted: A guesses x once, then matches for ever: (1 − γ)·2/3 + γ.
    disc = powerseek.stochastic_incomplete_power(g, profiles, site="joint-action", gamma=0.9, strategies=revealing)
    assert abs(disc["power"][0][0] - (0.1 * 2 / 3 + 0.9)) < 1e-6 and disc["tolerance"] == 1e-7
    assert isinstance(disc["power"][0][0], float) and disc["exact"] is False
    with pytest.raises(ValueError, match="one-step"):
        powerseek.stochastic_incomplete_power(g, profiles, site="joint-action", steps=2)
    with pytest.raises(ValueError, match=r"strategies\[1\]: player 'B' has 2 own types, got 1"):
        powerseek.stochastic_incomplete_power(g, profiles, site="joint-action", strategies=[[[[1, 0]]], [[[1, 0]]]])


def test_random_games_round_trip_and_conserve(tmp_path, cli):
    g = powerseek.random_stochastic_game(states=4, actions=3, seed=5)
    assert g.players == ["P1", "P2"] and g.states == ["s0", "s1", "s2", "s3"] and g.n_joint_actions == 36
    assert g.to_json() == powerseek.random_stochastic_game(states=4, actions=3, seed=5).to_json()
    assert g.to_json() != powerseek.random_stochastic_game(states=4, actions=3, seed=6).to_json()
    path = tmp_path / "random.json"
    path.write_text(g.to_json())
    back = powerseek.load_stochastic_game(str(path))
    assert back.to_json() == g.to_json()
    # The CLI writes the same game.
    cli = subprocess.run(
        [cli, "stochastic", "random", "--states", "4", "--actions", "3", "--seed", "5"], capture_output=True, text=True
    )
    assert cli.returncode == 0 and cli.stdout.strip() == g.to_json()
    r = powerseek.stochastic_power(g, rewards="constant-sum", samples=20, seed=0)
    assert r["target_reached"] and all(abs(e["mean"] - 1.0) < 1e-5 for e in r["total_power"])
    t = powerseek.random_stochastic_game(players=3, play="turn-based", seed=1)
    assert t.play == "turn-based" and t.actions(1, 0) == ["wait"]
    with pytest.raises(ValueError, match="distinct successors"):
        powerseek.random_stochastic_game(states=2, successors=3)
