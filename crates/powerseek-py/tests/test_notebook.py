"""Notebook behaviour: one version, progress reports (callbacks, tqdm bars,
True) and thread counts on every long call, results independent of threads,
and every public type picklable and comparable with ==."""

import pathlib
import pickle
import re
import threading
import tomllib
from fractions import Fraction
from importlib.metadata import version

import numpy as np
import pytest
import tqdm

import powerseek
from conftest import EXAMPLES, REPO

GRID = powerseek.gridworld("...\n.#.\n..T\n")
PD = powerseek.load_game(EXAMPLES / "games" / "prisoners-dilemma.nfg")
BAYES = powerseek.load_bayesian(REPO / "crates" / "powerseek" / "tests" / "data" / "gambit" / "bayes1a.efg")


def test_one_version_everywhere():
    cargo = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["package"]["version"]
    assert powerseek.__version__ == cargo == version("powerseek")
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", powerseek.__version__)
    pyproject = tomllib.loads((REPO / "crates" / "powerseek-py" / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]


# Every long call, with small arguments: (name, call(progress, threads)).
LONG_CALLS = {
    "power": lambda p, t: powerseek.power(GRID, samples=3000, progress=p, threads=t),
    "solve": lambda p, t: powerseek.solve(PD, all=True, progress=p, threads=t),
    "equilibria": lambda p, t: powerseek.equilibria(PD, exact=True, progress=p, threads=t),
    "game_power": lambda p, t: powerseek.game_power(PD, progress=p, threads=t),
    "bayesian_equilibria": lambda p, t: powerseek.bayesian_equilibria(BAYES, exact=True, progress=p, threads=t),
    "bayesian_power": lambda p, t: powerseek.bayesian_power(BAYES, progress=p, threads=t),
    "alignment": lambda p, t: powerseek.alignment(PD, progress=p, threads=t),
    "retarget_orbit": lambda p, t: powerseek.retarget_orbit(np.arange(5.0), [0], [1, 2], progress=p, threads=t),
    "orbit_tendency": lambda p, t: powerseek.orbit_tendency(
        "boltzmann:1", np.arange(6.0), [0], [1, 2], samples=5000, progress=p, threads=t
    ),
    "retarget_check": lambda p, t: powerseek.retarget_check(np.arange(5.0), [0], [1, 2], progress=p, threads=t),
    "retarget_mdp": lambda p, t: powerseek.retarget_mdp(
        powerseek.gridworld("...\n.S.\n...\n"), "up", "down", samples=200, parameters=20, progress=p, threads=t
    ),
    "retarget_learned": lambda p, t: powerseek.retarget_learned(
        powerseek.gridworld("S..\n.#.\n..T\n"), "right", "down", agents=40, progress=p, threads=t
    ),
    "scarcity": lambda p, t: powerseek.scarcity(games=30, progress=p, threads=t),
    "rho_sweep": lambda p, t: powerseek.rho_sweep(GRID, [0.0, 1.0], samples=300, progress=p, threads=t),
    "sequential_power": lambda p, t: powerseek.sequential_power(GRID, samples=300, progress=p, threads=t),
    "conflict_infer": lambda p, t: powerseek.conflict_infer(truth=(0.5, 0.5), episodes=20, grid=21, progress=p, threads=t),
    "conflict_calibrate": lambda p, t: powerseek.conflict_calibrate(grid=21, episodes=20, replicates=8, progress=p, threads=t),
}


def _plain(x):
    """A report without numpy arrays, for comparing two runs."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items() if k not in ("seconds", "elapsed", "timing", "updates_per_second")}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, float) and np.isnan(x):
        return "nan"
    return x


@pytest.mark.parametrize("name", list(LONG_CALLS))
def test_long_calls_take_progress_and_threads_and_give_the_same_result(name):
    call = LONG_CALLS[name]
    reports = []
    threads_seen = set()

    def callback(done, total):
        threads_seen.add(threading.get_ident())
        reports.append((done, total))

    with_progress = call(callback, 2)
    plain = call(None, None)
    one_thread = call(None, 1)
    assert _strip_times(with_progress) == _strip_times(plain) == _strip_times(one_thread)
    # Reports come on the calling thread, never go backwards, and the last one is final.
    assert threads_seen <= {threading.get_ident()}
    dones = [d for d, _ in reports]
    assert dones == sorted(dones)
    if reports and reports[-1][1] is not None:
        assert reports[-1][0] == reports[-1][1], reports[-3:]


def _strip_times(report):
    plain = _plain(report)
    text = repr(plain)
    # Wall-clock fields vary between runs; everything else must not.
    return re.sub(r"'(seconds|elapsed_seconds|wall_seconds|time)': [0-9.e-]+", "", text)


def test_power_reports_its_samples():
    reports = []
    powerseek.power(GRID, samples=5000, progress=lambda d, t: reports.append((d, t)))
    assert reports and reports[-1] == (5000, 5000)


def test_tqdm_bars_and_true():
    bar = tqdm.tqdm(disable=False, file=open("/dev/null", "w"))
    powerseek.power(GRID, samples=4000, progress=bar)
    assert bar.total == 4000 and bar.n == 4000
    bar.close()
    r = powerseek.power(GRID, samples=1000, progress=True)
    assert r["samples"] == 1000


def test_a_failing_callback_stops_the_call_with_its_exception():
    class Stop(Exception):
        pass

    def callback(done, total):
        if done > 0:
            raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        powerseek.power(powerseek.gridworld(("." * 40 + "\n") * 40), samples=10**8, progress=callback)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_thread_counts_are_value_errors(bad):
    with pytest.raises(ValueError, match="threads"):
        powerseek.power(GRID, samples=10, threads=bad)


def test_bad_progress_arguments_are_value_errors():
    with pytest.raises(ValueError, match="progress must be"):
        powerseek.power(GRID, samples=10, progress=42)


def test_numpy_thread_counts_work():
    assert powerseek.power(GRID, samples=100, threads=np.int64(1))["samples"] == 100


# --- pickling and equality ---------------------------------------------------


def _public_objects():
    feats = powerseek.mdp_from_numpy(
        np.array([[[0.0, 1.0]], [[0.5, 0.5]]]), ["a", "b"], ["go"], features={"x": [1.0, 2.0], "y": [0.0, -1.0]}
    )
    parts = powerseek._native.power_partials(GRID, 0, 256, powerseek._power_args(None, 256, None, 3, None, None, None))
    return {
        "gridworld": GRID,
        "loaded gridworld": powerseek.load_mdp(EXAMPLES / "rooms.grid"),
        "json mdp": powerseek.load_mdp(EXAMPLES / "fork.json"),
        "cassandra mdp": powerseek.load_mdp(EXAMPLES / "slippery.mdp"),
        "mdp with features": feats,
        "game": PD,
        "exact game": powerseek.game_from_numpy(
            np.array([[[Fraction(1, 3), 2], [0, Fraction(-5, 7)]], [[1, 0], [2, Fraction(10**40, 3)]]], dtype=object)
        ),
        "bayesian game": BAYES,
        "bayesian from game": powerseek.BayesianGame.from_game(PD),
        "power partial": parts[0],
    }


@pytest.mark.parametrize("name", list(_public_objects()))
def test_public_types_pickle_and_compare(name):
    obj = _public_objects()[name]
    again = pickle.loads(pickle.dumps(obj))
    assert type(again) is type(obj)
    assert again == obj
    assert not (again != obj)
    assert obj != "something else"
    # Frozen, so hashable: equal objects hash alike (usable as dict keys and in sets).
    assert hash(again) == hash(obj)
    assert len({obj, again}) == 1


def test_equality_tells_different_objects_apart():
    assert powerseek.gridworld("..\n") != powerseek.gridworld("...\n")
    assert PD != powerseek.load_game(EXAMPLES / "games" / "battle-of-the-sexes.nfg")
    assert BAYES != powerseek.BayesianGame.from_game(PD)
    # The same rows with and without features differ; so do different features.
    t = np.array([[[0.0, 1.0]], [[1.0, 0.0]]])
    plain = powerseek.mdp_from_numpy(t)
    assert plain == powerseek.mdp_from_numpy(t)
    assert plain != powerseek.mdp_from_numpy(t, features=[[1.0], [2.0]])
    assert powerseek.mdp_from_numpy(t, features=[[1.0], [2.0]]) != powerseek.mdp_from_numpy(t, features=[[1.0], [3.0]])


def test_pickled_mdps_keep_features_start_and_map():
    rooms = powerseek.load_mdp(EXAMPLES / "rooms.grid")
    again = pickle.loads(pickle.dumps(rooms))
    assert again.layout == rooms.layout and again.start == rooms.start
    fork = pickle.loads(pickle.dumps(powerseek.load_mdp(EXAMPLES / "fork.json")))
    assert fork.start == fork.state_names.index("start")
    feats = _public_objects()["mdp with features"]
    names, values = pickle.loads(pickle.dumps(feats)).features
    assert names == ["x", "y"] and values.tolist() == [[1.0, 0.0], [2.0, -1.0]]
    b = pickle.loads(pickle.dumps(BAYES))
    assert b.prior == BAYES.prior and b.types == BAYES.types
    assert all(isinstance(p, Fraction) for p in b.prior)


def test_objects_cross_to_ray_workers_unchanged():
    # Ray ships arguments with pickle (cloudpickle for functions): the same round trip.
    import cloudpickle

    for obj in _public_objects().values():
        assert cloudpickle.loads(cloudpickle.dumps(obj)) == obj
    assert pathlib.Path(__file__).exists()
