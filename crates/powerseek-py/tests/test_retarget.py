"""Orbit tendencies with Python-callable decision-makers."""

import numpy as np
import pytest

import powerseek


def python_argmax(utilities):
    best = utilities.max()
    winners = np.isclose(utilities, best, rtol=0, atol=1e-12)
    return winners / winners.sum()


def test_python_argmax_gives_the_builtin_counts():
    u = [0.1, 0.4, 0.7, 1.0]
    a, b = [0], [1, 2]
    builtin = powerseek.orbit_tendency("argmax", u, a, b)
    python = powerseek.orbit_tendency(python_argmax, u, a, b)
    assert builtin == python
    # By hand: B holds 2 of the 4 outcomes, A one, so argmax picks B on 12 of the
    # 24 permutations, A on 6 and neither (equal, both 0) on 6.
    assert builtin == {"b_more": 12, "equal": 6, "a_more": 6, "total": 24}


def test_python_boltzmann_matches_the_builtin():
    def boltzmann(utilities):
        w = np.exp(2.0 * (utilities - utilities.max()))
        return w / w.sum()

    u = [0.0, 0.3, 0.5, 0.9, 1.0]
    assert powerseek.orbit_tendency(boltzmann, u, [0], [1, 2]) == powerseek.orbit_tendency("boltzmann:2", u, [0], [1, 2])


def test_decision_maker_errors_surface():
    def broken(utilities):
        raise RuntimeError("my decision-maker failed")

    with pytest.raises(RuntimeError, match="my decision-maker failed"):
        powerseek.orbit_tendency(broken, [0.1, 0.2, 0.3], [0], [1])
    with pytest.raises(ValueError, match="2 probabilities for 3 outcomes"):
        powerseek.orbit_tendency(lambda u: [0.5, 0.5], [0.1, 0.2, 0.3], [0], [1])
    with pytest.raises(ValueError, match="decision-maker 'wise'"):
        powerseek.orbit_tendency("wise", [0.1, 0.2, 0.3], [0], [1])
    with pytest.raises(ValueError, match="out of range"):
        powerseek.orbit_tendency("argmax", [0.1, 0.2, 0.3], [0], [7])


def test_orbit_rows_split_the_orbit_into_wins_ties_and_losses():
    r = powerseek.retarget_orbit([0.1, 0.4, 0.7, 1.0], [0], [1, 2], decision="argmax")
    row = r["results"][0]
    # 12 wins, 6 ties and 6 losses of 24 (see above): the shares are the counts over the total.
    assert row["shares"] == {"wins": 0.5, "ties": 0.25, "losses": 0.25}
    assert row["fraction"] == row["shares"]["wins"]
    assert row["shares_ci95"] is None
