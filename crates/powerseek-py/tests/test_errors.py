"""Bad input gives a ValueError (or OSError) that names the file and line or
the argument, never a PanicException, a crash, or a silently wrong number."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

import powerseek


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def no_internals(message: str):
    for internal in ("Ratio {", "PanicException", "panicked", "failed to extract", "PowerArgs"):
        assert internal not in message, message


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "redeclared.mdp",
            "states: 2\nactions: 1\nT: 0 : 0 : 1 1\nT: 0 : 1 : 1 1\nstates: 3\n",
            "redeclared.mdp:5: 'states:' is declared a second time",
        ),
        ("start.mdp", "states: 3\nactions: 1\nstart: 0.5 0.5\nT: 0 identity\n", "start.mdp:3: start: expected 3"),
        (
            "dup.json",
            '{"states": ["a"],\n "states": ["b"],\n "transitions": {"a": {"x": "a"}}}',
            'dup.json:2: duplicate key "states"',
        ),
        ("unknown.json", '{"states": ["a"],\n "transitions": {"a": {"x": "a"}},\n "zz": 1}', "unknown.json:3: field 'zz'"),
    ],
)
def test_malformed_mdp_files_name_file_and_line(tmp_path, name, text, expected):
    path = write(tmp_path, name, text)
    with pytest.raises(ValueError) as e:
        powerseek.load_mdp(path)
    assert expected in str(e.value)
    no_internals(str(e.value))


def test_missing_file_is_an_os_error_printed_once(tmp_path):
    with pytest.raises(OSError) as e:
        powerseek.load_mdp(tmp_path / "nowhere.mdp")
    assert str(e.value).count("os error 2") == 1, str(e.value)


def test_what_other_tools_write_is_read(tmp_path):
    third = write(tmp_path, "third.mdp", "states: 3\nactions: 1\nT: 0\n" + "0.333333 0.333333 0.333333\n" * 3)
    with pytest.warns(UserWarning, match=r"third.mdp:3: 3 transition rows .* renormalised"):
        m = powerseek.load_mdp(third)
    assert m.n_states == 3
    assert powerseek.load_mdp(write(tmp_path, "uniform.mdp", "states: 2\nactions: 1\nstart: uniform\nT: 0 identity\n"))
    # A UTF-8 byte-order mark, in every format.
    bom = b"\xef\xbb\xbf"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        powerseek.load_mdp(write(tmp_path, "bom.mdp", bom + b"states: 2\nactions: 1\nT: 0 identity\n"))
        grid = powerseek.load_mdp(write(tmp_path, "bom.grid", bom + b"T.T\n"))
    powerseek.load_mdp(write(tmp_path, "bom.json", bom + b'{"states": ["a"], "transitions": {"a": {"x": "a"}}}'))
    nfg = 'NFG 1 R "t" { "Row" "Column" }\n{ { "C" "D" }\n{ "C" "D" }\n}\n2 2 3 0 0 3 1 1\n'
    powerseek.load_game(write(tmp_path, "bom.nfg", bom + nfg.encode()))
    # A gridworld read with a BOM still pickles (it travels as its text).
    import pickle

    assert pickle.loads(pickle.dumps(grid)).state_names == grid.state_names


def test_numpy_mdps_check_names_and_shapes():
    t = np.zeros((2, 1, 2))
    t[:, 0, 0] = 1.0
    with pytest.raises(ValueError, match="state names"):
        powerseek.mdp_from_numpy(t, state_names=["only one"])
    # The native constructor checks too (no panic on a short name list).
    with pytest.raises(ValueError, match="state_names: 1 names for 2 states"):
        powerseek.Mdp._from_numpy(t, ["only one"], ["a"])
    with pytest.raises(ValueError, match="action_names: 0 names for 1 actions"):
        powerseek.Mdp._from_numpy(t, ["x", "y"], [])
    near = np.zeros((2, 1, 2))
    near[:, 0, :] = 0.4999995
    with pytest.warns(UserWarning, match="renormalised"):
        m = powerseek.mdp_from_numpy(near)
    assert m.n_states == 2


def test_orbit_tendency_rejects_nan_and_repeated_outcomes():
    with pytest.raises(ValueError, match=r"u\[2\] = NaN is not a finite number"):
        powerseek.orbit_tendency("argmax", [0.1, 0.2, float("nan")], [0], [1])
    with pytest.raises(ValueError, match="outcome set B lists outcome 1 .* twice"):
        powerseek.orbit_tendency("argmax", [0.1, 0.2, 0.3], [0], [1, 1])
    with pytest.raises(ValueError, match="at least 1"):
        powerseek.orbit_tendency("argmax", [0.1, 0.2, 0.3], [0], [1], samples=0)


def test_power_arguments_are_checked_with_their_names(tmp_path):
    fork = powerseek.gridworld("T.T\n")
    for kwargs, message in [
        (dict(seed=-1), "seed must be a non-negative integer"),
        (dict(seed=1.5), "seed must be a non-negative integer"),
        (dict(seed="abc"), "seed must be a non-negative integer"),
        (dict(samples=2.5), "samples must be a non-negative integer"),
        (dict(gamma="high"), "gamma must be a number"),
        (dict(samples=1, antithetic=True), "at least 2"),
        (dict(samples=0), "at least 2"),
        (dict(dist="uniform:-1e308,1e308"), "beyond"),
        (dict(dist="uniform:0,1e299", gamma=0.999), "overflow"),
    ]:
        with pytest.raises(ValueError) as e:
            powerseek.power(fork, **kwargs)
        assert message in str(e.value), (kwargs, str(e.value))
        no_internals(str(e.value))


def test_integer_payoffs_are_exact():
    big = 2**53 + 1
    g = powerseek.game_from_numpy(np.array([[[big, 0]], [[0, 1]]], dtype=np.int64))
    assert str(big) in g.to_nfg()
    huge = np.array([[2**64 - 1]], dtype=np.uint64)  # one player, one action
    assert str(2**64 - 1) in powerseek.game_from_numpy(huge).to_nfg()
    exact = powerseek.game_from_numpy(np.array([[[Fraction(1, 3), 10**30]], [[0, 1]]], dtype=object))
    assert "1/3" in exact.to_nfg() and str(10**30) in exact.to_nfg()
    # Floats keep their shortest decimal.
    assert "1/10" in powerseek.game_from_numpy(np.array([[0.1]])).to_nfg()
    with pytest.raises(ValueError, match="not a number"):
        powerseek.game_from_numpy(np.array([["x"]], dtype=object))


def test_game_messages_are_clean(tmp_path):
    pd = powerseek.game_from_numpy(np.array([[[2, 0], [3, 1]], [[2, 3], [0, 1]]]))
    with pytest.raises(ValueError) as e:
        powerseek.game_power(pd, profile=[[Fraction(1, 2), Fraction(2, 5)], [1, 0]])
    assert "9/10" in str(e.value), str(e.value)
    no_internals(str(e.value))
    huge = write(tmp_path, "huge.nfg", 'NFG 1 R "t" { "Row" }\n{ { "C" } }\n1e10000000\n')
    with pytest.raises(ValueError, match=r"huge.nfg:3: .*exponent beyond"):
        powerseek.load_game(huge)
    dup = write(tmp_path, "dup.json", '{"players": ["a"], "actions": [["x"]],\n "payoffs": [[1]],\n "payoffs": [[2]]}')
    with pytest.raises(ValueError, match='dup.json:3: duplicate key "payoffs"'):
        powerseek.load_game(dup)


def test_deep_efg_trees_do_not_crash(tmp_path):
    # Python's main thread used to die with a stack overflow near 9 999 levels.
    lines = ['EFG 2 R "chain" { "P" }', '""']
    lines += ['c "" 1 "" { "x" 1 } 0'] * 20_000
    lines += ['p "" 1 1 "" { "a" "b" } 0', 't "" 1 "" { 1 }', 't "" 2 "" { 2 }']
    g = powerseek.load_bayesian(write(tmp_path, "deep.efg", "\n".join(lines) + "\n"))
    assert g is not None


def test_conflict_inputs_that_would_mislead_are_errors():
    twins = """
[model]
cost = 0.2
[[agent]]
name = "blue"
preference = [1.0, 0.0]
power = 2.0
[[agent]]
name = "blue"
preference = [0.0, 1.0]
power = 1.0
"""
    with pytest.raises(ValueError, match="already used by another agent"):
        powerseek.conflict_simulate(twins)
    steep = twins.replace('name = "blue"\npreference = [0.0', 'name = "red"\npreference = [0.0').replace(
        "cost = 0.2", "cost = 0.1\ncontest_exponent = 1000.0"
    )
    trace = powerseek.conflict_simulate(steep)
    p = trace["initial"][0]["escalation_probability"]
    assert p == p and 0.0 <= p <= 1.0  # a number, not NaN


def test_python_decision_makers_must_return_probabilities():
    # NaN used to count as "equally likely".
    for answer, message in [
        ([float("nan"), 0.5, 0.5], "probability NaN for outcome 0"),
        ([-0.5, 1.0, 0.5], "probability -0.5 for outcome 0"),
        ([0.9, 0.9, 0.0], "sum to 1.8"),
    ]:
        with pytest.raises(ValueError, match=message):
            powerseek.orbit_tendency(lambda u, a=answer: a, [0.1, 0.2, 0.3], [0], [1])
