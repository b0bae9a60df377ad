"""Adapters, each against the real library (installed by scripts/test-all.sh;
a missing one fails the test rather than skipping it): Gymnasium's
FrozenLake, CliffWalking and Taxi tables, MiniGrid layouts, pygambit games in
and out (equilibria against pygambit's own enummixed), and OpenSpiel reading
powerseek's .nfg."""

import pickle
from fractions import Fraction

import gymnasium as gym
import numpy as np
import pygambit
import pyspiel
import pytest

import powerseek
from conftest import EXAMPLES, REPO

DATA = __import__("pathlib").Path(__file__).parent / "data"
BAYES1A = REPO / "crates" / "powerseek" / "tests" / "data" / "gambit" / "bayes1a.efg"


# --- Gymnasium ---------------------------------------------------------------


def test_frozenlake_power_equals_the_same_mdp_written_by_hand():
    # data/frozenlake-4x4.json was written from FrozenLake's documented rules,
    # not from gymnasium's table (see its description).
    lake = powerseek.from_gymnasium(gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True))
    hand = powerseek.load_mdp(DATA / "frozenlake-4x4.json")
    assert lake.state_names == hand.state_names
    assert lake.actions == hand.actions
    assert lake.start == hand.start == 0
    # Same rows; gymnasium's 1/3 is 0.33333333333333337 or 0.3333333333333333, summed where moves coincide.
    for (s1, a1, r1), (s2, a2, r2) in zip(lake.parts()[1], hand.parts()[1]):
        assert (s1, a1, [t for t, _ in r1]) == (s2, a2, [t for t, _ in r2])
        assert np.allclose([p for _, p in r1], [p for _, p in r2], rtol=0, atol=1e-15)
    for gamma in (0.0, 0.5, 0.9):
        a = powerseek.power(lake, gamma=gamma, samples=4000, seed=11)
        b = powerseek.power(hand, gamma=gamma, samples=4000, seed=11)
        # Same seed, same reward draws: the estimates agree far inside the solver's tolerance (1e-6).
        assert np.max(np.abs(a["power"] - b["power"])) < 1e-9, gamma
        assert np.max(np.abs(a["se"] - b["se"])) < 1e-9
        assert np.array_equal(a["optimal"], b["optimal"])


def test_frozenlake_keeps_its_map_and_sums_duplicate_moves():
    lake = powerseek.from_gymnasium(gym.make("FrozenLake-v1"))
    height, width, open_, position = lake.layout
    assert (height, width) == (4, 4) and all(open_)
    assert position[5] == (1, 1) and lake.state_names[5] == "(1,1)"
    rows = {(s, a): row for s, a, row in lake.parts()[1]}
    # From the corner (0,0), "left" slips down or stays; staying is reached two ways (left, up) and summed.
    assert [t for t, _ in rows[(0, "left")]] == [0, 4]
    assert rows[(0, "left")][0][1] == pytest.approx(2 / 3, abs=1e-15)
    # Holes and the goal are absorbing.
    for cell in (5, 7, 11, 12, 15):
        assert all(rows[(cell, a)] == [(cell, 1.0)] for a in ("left", "down", "right", "up"))
    # Pickles with its map.
    assert pickle.loads(pickle.dumps(lake)) == lake
    assert pickle.loads(pickle.dumps(lake)).layout == lake.layout


def test_cliffwalking_goal_absorbs_unless_the_table_is_kept():
    env = gym.make("CliffWalking-v1")
    cliff = powerseek.from_gymnasium(env)
    assert cliff.n_states == 48 and cliff.start == 36 and cliff.actions[0] == ["up", "right", "down", "left"]
    rows = {(s, a): row for s, a, row in cliff.parts()[1]}
    assert rows[(47, "up")] == [(47, 1.0)]
    # Stepping into the cliff returns to the start (gymnasium's rule).
    assert rows[(36, "right")] == [(36, 1.0)]
    kept = powerseek.from_gymnasium(env, terminal="keep")
    assert {(s, a): row for s, a, row in kept.parts()[1]}[(47, "up")] == [(35, 1.0)]
    assert cliff.layout[:2] == (4, 12)
    with pytest.raises(ValueError, match="terminal must be"):
        powerseek.from_gymnasium(env, terminal="stop")


def test_taxi_names_its_states_and_delivered_states_absorb():
    taxi = powerseek.from_gymnasium(gym.make("Taxi-v4"))
    assert taxi.n_states == 500 and taxi.layout is None
    assert taxi.actions[0] == ["south", "north", "east", "west", "pickup", "dropoff"]
    u = gym.make("Taxi-v4").unwrapped
    s = u.encode(0, 0, 4, 0)  # taxi at R carrying the passenger, whose destination is R
    assert taxi.state_names[s] == "taxi (0,0), passenger taxi, destination R"
    delivered = u.encode(0, 0, 0, 0)
    rows = {(s, a): row for s, a, row in taxi.parts()[1]}
    assert rows[(s, "dropoff")] == [(delivered, 1.0)]
    assert rows[(delivered, "north")] == [(delivered, 1.0)]
    r = powerseek.power(taxi, gamma=0.5, samples=200)
    assert r["power"].shape == (500,)


def test_environments_without_a_table_are_type_errors():
    with pytest.raises(TypeError, match="transition table"):
        powerseek.from_gymnasium(gym.make("CartPole-v1"))
    with pytest.raises(ValueError, match="3 action names for 4 actions"):
        powerseek.from_gymnasium(gym.make("FrozenLake-v1"), action_names=["a", "b", "c"])


# --- MiniGrid ----------------------------------------------------------------


def test_minigrid_layout_becomes_a_gridworld():
    import minigrid  # noqa: F401 - registers the environments

    env = gym.make("MiniGrid-LavaGapS5-v0")
    env.reset(seed=0)
    text = powerseek.adapters.minigrid.grid_text(env)
    u = env.unwrapped
    lines = text.splitlines()
    assert lines[0] == "stay = true"
    grid = lines[1:]
    assert len(grid) == u.grid.height and all(len(row) == u.grid.width for row in grid)
    for y, row in enumerate(grid):
        for x, ch in enumerate(row):
            obj = u.grid.get(x, y)
            kind = None if obj is None else obj.type
            expected = {"wall": "#", "lava": "T", "goal": "T", None: "."}[kind]
            if (x, y) == tuple(u.agent_pos):
                expected = "S"
            assert ch == expected, (x, y, kind)
    mdp = powerseek.from_minigrid(env)
    assert mdp == powerseek.gridworld(text)
    assert mdp.start == mdp.state_names.index(f"({u.agent_pos[1]},{u.agent_pos[0]})")
    assert mdp.layout is not None


def test_minigrid_closed_doors_and_keys_are_walls():
    import minigrid  # noqa: F401

    env = gym.make("MiniGrid-DoorKey-5x5-v0")
    env.reset(seed=1)
    u = env.unwrapped
    grid = powerseek.adapters.minigrid.grid_text(env, stay=False).splitlines()[1:]
    for y in range(u.grid.height):
        for x in range(u.grid.width):
            obj = u.grid.get(x, y)
            if obj is not None and obj.type in ("door", "key"):
                assert grid[y][x] == ("." if obj.can_overlap() else "#")
    with pytest.raises(TypeError, match="MiniGrid environment"):
        powerseek.from_minigrid(gym.make("FrozenLake-v1"))


# --- pygambit ----------------------------------------------------------------


def _gambit_profile(eq, game):
    """A pygambit equilibrium as exact lists of probabilities, by player and strategy."""
    return [[Fraction(str(eq[player][strategy])) for strategy in game.actions[i]] for i, player in enumerate(game.players)]


@pytest.mark.parametrize("name", ["prisoners-dilemma.nfg", "battle-of-the-sexes.nfg", "matching-pennies.nfg", "degenerate.nfg"])
def test_pygambit_round_trip_is_exact_and_equilibria_match_enummixed(name):
    ours = powerseek.load_game(EXAMPLES / "games" / name)
    theirs = powerseek.to_pygambit(ours)
    back = powerseek.from_pygambit(theirs)
    assert back == ours
    assert back.actions == ours.actions and back.players == ours.players
    result = pygambit.nash.enummixed_solve(theirs, rational=True)
    expected = sorted(_gambit_profile(eq, ours) for eq in result.equilibria)
    found = sorted(powerseek.equilibria(ours, exact=True, method="enum"))
    assert found == expected


def test_pygambit_payoffs_survive_exactly():
    payoffs = np.array(
        [[[Fraction(1, 3), Fraction(-7, 11)], [Fraction(10**30 + 1), 0]], [[Fraction(2, 7), 1], [0, Fraction(5, 2)]]],
        dtype=object,
    )
    game = powerseek.game_from_numpy(payoffs)
    g = powerseek.to_pygambit(game)
    theirs = g.to_arrays(dtype=Fraction)
    assert [[list(row) for row in a] for a in theirs] == [[list(row) for row in payoffs[i]] for i in range(2)]
    assert powerseek.from_pygambit(g) == game


def test_pygambit_trees_are_bayesian_games():
    efg = BAYES1A
    tree = pygambit.read_efg(str(efg))
    b = powerseek.from_pygambit(tree)
    assert isinstance(b, powerseek.BayesianGame)
    assert b == powerseek.load_bayesian(efg)


def test_load_game_of_an_object_says_what_it_takes():
    g = powerseek.to_pygambit(powerseek.load_game(EXAMPLES / "games" / "prisoners-dilemma.nfg"))
    with pytest.raises(TypeError, match="from_pygambit"):
        powerseek.load_game(g)
    with pytest.raises(TypeError, match="from_gymnasium"):
        powerseek.load_mdp(gym.make("FrozenLake-v1"))


# --- OpenSpiel ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["prisoners-dilemma.nfg", "battle-of-the-sexes.nfg", "three-player.nfg", "degenerate.nfg"])
def test_openspiel_loads_our_nfg_and_payoffs_agree(name):
    game = powerseek.load_game(EXAMPLES / "games" / name)
    spiel = pyspiel.load_nfg_game(game.to_nfg(header="counts"))
    ours = powerseek.payoffs(game)
    for p in range(len(game.shape)):
        theirs = np.asarray(spiel.player_utilities(p)) if len(game.shape) > 2 else (
            np.asarray(spiel.row_utilities()) if p == 0 else np.asarray(spiel.col_utilities())
        )
        assert theirs.shape == tuple(game.shape)
        assert np.array_equal(theirs, ours[p]), (name, p)
    # And back: the same payoffs (action names are OpenSpiel's loss).
    back = powerseek.from_openspiel(powerseek.to_openspiel(game))
    assert np.array_equal(powerseek.payoffs(back), ours)
    # The default .nfg (with names) is what OpenSpiel cannot read.
    with pytest.raises(Exception):
        pyspiel.load_nfg_game(game.to_nfg())


def test_openspiel_matrix_tensor_and_sequential_games_come_in():
    mp = powerseek.from_openspiel(pyspiel.load_game("matrix_mp"))
    assert mp.shape == [2, 2]
    assert powerseek.equilibria(mp, exact=True) == [[[Fraction(1, 2)] * 2, [Fraction(1, 2)] * 2]]
    decimals = pyspiel.create_matrix_game("d", "d", ["a", "b"], ["c", "d"], [[0.1, 0.2], [0.3, 0.4]], [[1, 2], [3, 4]])
    g = powerseek.from_openspiel(decimals)
    assert powerseek.alignment(g)  # exact arithmetic on 1/10 ...
    assert g == powerseek.game_from_numpy(np.array([[[Fraction(1, 10), Fraction(1, 5)], [Fraction(3, 10), Fraction(2, 5)]], [[1, 2], [3, 4]]], dtype=object))
    kuhn = powerseek.from_openspiel(pyspiel.load_game("kuhn_poker"))
    assert kuhn.shape == [64, 64]
    tensor = pyspiel.create_tensor_game([np.arange(8, dtype=float).reshape(2, 2, 2) * 0.5 + p for p in range(3)])
    t = powerseek.from_openspiel(tensor)
    assert t.shape == [2, 2, 2]
    assert np.array_equal(powerseek.payoffs(t)[1], np.asarray(tensor.player_utilities(1)))
    with pytest.raises(TypeError, match="OpenSpiel game"):
        powerseek.from_openspiel("matrix_mp")


def test_openspiel_efg_text_comes_in_through_its_normal_form():
    efg = BAYES1A
    spiel = pyspiel.load_efg_game(efg.read_text())
    g = powerseek.from_openspiel(spiel)
    assert len(g.shape) == spiel.num_players()
    # Its normal form is the Bayesian game's induced normal form (complete plans): uniform play over
    # plans is uniform play at every type, so the expected payoffs agree (OpenSpiel's are floats).
    b = powerseek.load_bayesian(efg)
    theirs = [p["expected_payoff"] for p in powerseek.game_power(g, "uniform")["profiles"][0]["players"]]
    ours = [p["expected_payoff"] for p in powerseek.bayesian_power(b, "uniform")["profiles"][0]["players"]]
    assert [float(x) for x in theirs] == pytest.approx([float(x) for x in ours], abs=1e-12)
