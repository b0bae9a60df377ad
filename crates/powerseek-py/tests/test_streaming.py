"""Streamed equilibria (powerseek.iter_equilibria): the same exact set and
components as solve(), arriving one at a time, and a stream dropped half way
stops its search."""

import pathlib
import time

import numpy as np
import pytest

import powerseek

GAMBIT_GAMES = pathlib.Path(__file__).resolve().parents[2] / "powerseek" / "tests" / "data" / "gambit"


def key(e):
    return tuple(tuple(s) for s in e["strategies"])


def components(eqs, comps):
    return {frozenset(key(eqs[i]) for i in c) for c in comps}


@pytest.mark.parametrize("name", ["winkels.nfg", "catalog_dcg_vonstengel1999_6x6_game_with_75_eq.nfg", "coord3.nfg"])
def test_the_stream_is_the_solution(name):
    g = powerseek.load_game(GAMBIT_GAMES / name)
    full = powerseek.solve(g, all=True)
    stream = powerseek.iter_equilibria(g)
    assert stream.summary is None
    seen = list(stream)
    assert {key(e) for e in seen} == {key(e) for e in full["equilibria"]}
    assert len(seen) == len(full["equilibria"])
    assert all(e["max_regret"] == 0 for e in seen)
    s = stream.summary
    assert s["method"] == "enum" and s["complete"] and s["count"] == len(seen)
    assert components(seen, s["components"]) == components(full["equilibria"], full["components"])
    assert list(stream) == []  # exhausted stays exhausted


def test_a_dropped_stream_stops_its_search():
    rng = np.random.default_rng(5)
    g = powerseek.game_from_numpy(rng.integers(-10, 11, size=(2, 20, 20)))
    stream = powerseek.iter_equilibria(g)
    first = next(stream)
    assert first["max_regret"] == 0
    started = time.monotonic()
    del stream  # the whole search of a 20×20 game takes minutes
    assert time.monotonic() - started < 1.0


def test_bad_requests_fail_at_once():
    g = powerseek.load_game(GAMBIT_GAMES / "2x2x2.nfg")
    with pytest.raises(ValueError, match="2-player"):
        powerseek.iter_equilibria(g, method="enum")
    with pytest.raises(TypeError):
        powerseek.iter_equilibria(powerseek.load_bayesian(GAMBIT_GAMES / "bayes1a.efg"))
