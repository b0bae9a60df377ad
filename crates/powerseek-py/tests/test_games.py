"""Games from Python: numpy payoffs, exact equilibria, multi-agent POWER, alignment."""

import pathlib
from fractions import Fraction

import numpy as np
import pytest

import powerseek
from conftest import EXAMPLES

# Gambit's test games, shipped with the Rust crate's tests (see the README there).
GAMBIT_GAMES = pathlib.Path(__file__).resolve().parents[2] / "powerseek" / "tests" / "data" / "gambit"


def at(report, key="power", profile=0):
    """One per-player field of a POWER report's profile (the reports list players in order)."""
    return [p[key] for p in report["profiles"][profile]["players"]]


def prisoners_dilemma():
    # payoffs[i, a_row, a_col]: cooperate = 0, defect = 1.
    return np.array([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])


def test_numpy_payoffs_round_trip_and_match_the_nfg_file():
    g = powerseek.game_from_numpy(prisoners_dilemma())
    np.testing.assert_array_equal(powerseek.payoffs(g), prisoners_dilemma())
    from_file = powerseek.load_game(EXAMPLES / "games" / "prisoners-dilemma.nfg")
    assert from_file.shape == [2, 2]
    assert powerseek.equilibria(from_file, exact=True) == powerseek.equilibria(g, exact=True)


def test_equilibria_are_exact():
    pd = powerseek.game_from_numpy(prisoners_dilemma())
    assert powerseek.equilibria(pd, exact=True) == [[[0, 1], [0, 1]]]
    pennies = powerseek.game_from_numpy(np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]))
    (eq,) = powerseek.equilibria(pennies, exact=True)
    assert eq == [[Fraction(1, 2)] * 2] * 2
    floats = powerseek.equilibria(pennies)
    assert isinstance(floats[0][0], np.ndarray)
    # Decimals are read exactly: 0.1 and 0.2 stay 1/10 and 1/5.
    g = powerseek.game_from_numpy(np.array([[[0.1, 0.2]], [[0.0, 0.0]]]))
    assert at(powerseek.game_power(g, [[1], [0, 1]]), "expected_payoff") == [Fraction(1, 5), 0]


def test_power_and_alignment_follow_the_published_numbers():
    pennies = powerseek.game_from_numpy(np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]))
    half = [[0.5, 0.5], [0.5, 0.5]]
    p = powerseek.game_power(pennies, half)
    assert p["profiles"][0]["is_equilibrium"] and p["profiles"][0]["total_regret"] == 0
    assert at(p) == [0, 0]
    assert powerseek.alignment(pennies)["alpha"] == -2
    # PD by hand: max welfare 3 + 3 = 6, everyone's best 5 + 5 = 10, so α = −4.
    assert powerseek.alignment(powerseek.game_from_numpy(prisoners_dilemma()))["alpha"] == -4
    off = powerseek.game_power(pennies, [[1, 0], [1, 0]])["profiles"][0]
    assert not off["is_equilibrium"] and off["total_regret"] > 0
    # Battle of the sexes' mixed equilibrium, typed as floats, is read as exactly (2/3, 1/3), (1/3, 2/3).
    bos = powerseek.game_from_numpy(np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]))
    mixed = powerseek.game_power(bos, [[2 / 3, 1 / 3], [1 / 3, 2 / 3]])
    assert mixed["profiles"][0]["is_equilibrium"] and at(mixed, "expected_payoff") == [Fraction(2, 3)] * 2


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((2, 2)), "n_players"),
        (np.zeros((3, 2, 2)), "n_players"),
        (np.array([[["x", "y"]], [["x", "y"]]]), "numeric"),
        (np.array([[[np.inf, 0.0]], [[0.0, 0.0]]]), "not a finite"),
    ],
)
def test_bad_payoff_arrays_raise_value_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        powerseek.game_from_numpy(bad)


def test_bad_profiles_raise_value_errors():
    g = powerseek.game_from_numpy(prisoners_dilemma())
    with pytest.raises(ValueError, match="one strategy per player"):
        powerseek.game_power(g, [[1, 0]])
    with pytest.raises(ValueError, match="sum to"):
        powerseek.game_power(g, [[0.7, 0.7], [1, 0]])


def test_bayesian_power_matches_gambits_reference_for_bayes1a():
    path = GAMBIT_GAMES / "bayes1a.efg"
    assert path.is_file(), f"the Gambit test game is missing: {path}"
    g = powerseek.load_bayesian(path)
    assert len(g.types[0]) == 2
    (bne,) = powerseek.bayesian_equilibria(g, exact=True)
    p = powerseek.bayesian_power(g, bne)
    assert at(p) == [5, Fraction(23, 6)] and p["profiles"][0]["is_equilibrium"]
    half = [Fraction(1, 2)] * 2
    uniform = [[half] * len(g.types[0]), [half] * len(g.types[1])]
    u = powerseek.bayesian_power(g, uniform)
    assert at(u) == [5, Fraction(21, 4)]
    assert at(u, "expected_payoff") == [4, Fraction(33, 8)]
    assert not u["profiles"][0]["is_equilibrium"] and u["profiles"][0]["total_regret"] > 0
    with pytest.raises(ValueError, match="strategies for"):
        powerseek.bayesian_power(g, [[half], [half]])


def test_a_bayesian_solution_says_why_its_default_as_the_cli_does():
    g = powerseek.load_bayesian(EXAMPLES / "games" / "bayesian-two-type.json")
    s = powerseek.solve(g, all=True)
    assert isinstance(s["choice"], str)
    assert s["choice"].startswith("the induced normal form is 4×4, at most 16 strategies per player"), s["choice"]
    assert powerseek.solve(g, method="enum", all=True)["choice"] is None
    # The normal-form field of the same name, for comparison.
    assert isinstance(powerseek.solve(powerseek.load_game(EXAMPLES / "games" / "prisoners-dilemma.nfg"))["choice"], str)


def test_a_normal_form_game_is_a_one_type_bayesian_game():
    pennies = powerseek.game_from_numpy(np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]))
    b = powerseek.BayesianGame.from_game(pennies)
    (eq,) = powerseek.bayesian_equilibria(b, exact=True)
    assert eq == [[[Fraction(1, 2)] * 2], [[Fraction(1, 2)] * 2]]
    assert at(powerseek.bayesian_power(b, eq)) == at(powerseek.game_power(pennies, [e[0] for e in eq]))


def test_simpdiv_by_name_returns_certified_equilibria():
    g = powerseek.load_game(GAMBIT_GAMES / "2x2x2.nfg")
    s = powerseek.solve(g, method="simpdiv", all=True)
    assert s["method"] == "simpdiv"
    assert s["exact"] is False
    assert s["equilibria"]
    for e in s["equilibria"]:
        assert e["max_regret"] <= Fraction(1, 10**6)
    # 2x2x2's totally mixed equilibrium (2/5, 3/5), (1/2, 1/2), (1/3, 2/3), exactly.
    assert [[Fraction(2, 5), Fraction(3, 5)], [Fraction(1, 2), Fraction(1, 2)], [Fraction(1, 3), Fraction(2, 3)]] in [
        e["strategies"] for e in s["equilibria"]
    ]
