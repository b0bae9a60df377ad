"""Result objects: dict-compatible reports whose tables, xarray Datasets and
HTML carry the same numbers as the report's own fields, with actions and
cells by name (never by per-state position), exact values as Fractions."""

import json
import pickle
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import powerseek
from conftest import EXAMPLES


@pytest.fixture(scope="module")
def rooms():
    return powerseek.load_mdp(EXAMPLES / "rooms.grid")


@pytest.fixture(scope="module")
def rooms_power(rooms):
    return powerseek.power(rooms, gamma=0.9, samples=400, seed=2)


def cell(name):
    """(row, col) of a gridworld state name "(r,c)" (only to check the layout independently)."""
    r, c = name.strip("()").split(",")
    return int(r), int(c)


# POWER ----------------------------------------------------------------------------


def test_power_result_is_the_old_dict(rooms_power):
    r = rooms_power
    assert isinstance(r, powerseek.PowerResult) and isinstance(r, dict)
    assert isinstance(r["power"], np.ndarray) and r["power"].shape == (61,)
    assert set(r.to_dict()) == set(r)
    json.dumps({k: v for k, v in r.items() if not isinstance(v, np.ndarray)})


def test_layout_places_every_state_and_marks_walls_and_the_terminal(rooms, rooms_power):
    layout = rooms_power["layout"]
    text = [line for line in (EXAMPLES / "rooms.grid").read_text().splitlines() if line and line[0] == "#"]
    assert (layout["height"], layout["width"]) == (len(text), max(map(len, text)))
    for s, name in enumerate(rooms.state_names):
        assert tuple(layout["positions"][s]) == cell(name)
    for r, row in enumerate(text):
        for c, ch in enumerate(row):
            expected = "#" if ch == "#" else ("T" if ch == "T" else ".")
            assert layout["rows"][r][c] == expected, (r, c)


def test_cli_json_has_the_same_layout(cli, rooms_power):
    out = subprocess.run(
        [cli, "power", str(EXAMPLES / "rooms.grid"), "-n", "400", "--seed", "2", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(out.stdout)["layout"] == json.loads(json.dumps(rooms_power["layout"]))
    fork = subprocess.run(
        [cli, "power", str(EXAMPLES / "fork.json"), "-n", "10", "--format", "json"], check=True, capture_output=True, text=True
    )
    assert "layout" not in json.loads(fork.stdout)  # not a gridworld: no layout
    assert "layout" not in powerseek.power(powerseek.load_mdp(EXAMPLES / "fork.json"), samples=10)


def test_states_table_matches_the_arrays(rooms, rooms_power):
    r = rooms_power
    df = r.to_pandas()
    assert list(df.columns) == ["state", "row", "col", "power", "se", "ci95_low", "ci95_high", "tie_probability"]
    assert list(df.state) == rooms.state_names
    np.testing.assert_array_equal(df.power, r["power"])
    np.testing.assert_array_equal(df.se, r["se"])
    np.testing.assert_array_equal(df[["ci95_low", "ci95_high"]].to_numpy(), r["ci95"])
    assert [(a, b) for a, b in zip(df.row, df.col)] == [cell(n) for n in rooms.state_names]


def test_actions_are_named_per_state(rooms, rooms_power):
    df = rooms_power.to_pandas("actions")
    assert len(df) == sum(len(a) for a in rooms.actions)
    for s, name in enumerate(rooms.state_names):
        rows = df[df.state == name]
        assert list(rows.action) == rooms.actions[s]
        # The positional numpy array agrees once the names are attached.
        np.testing.assert_array_equal(rows.optimal.to_numpy(), rooms_power["optimal"][s, : len(rows)])
    # The example: column 1 of the numpy array is `right` at (1,1) and `left` at (1,2).
    i, j = rooms.state_names.index("(1,1)"), rooms.state_names.index("(1,2)")
    assert rooms.actions[i][1] == "right" and rooms.actions[j][1] == "left"
    at = df.set_index(["state", "action"]).optimal
    assert at[("(1,1)", "right")] == rooms_power["optimal"][i, 1]
    assert at[("(1,2)", "left")] == rooms_power["optimal"][j, 1]


def test_xarray_has_states_and_action_names_as_coordinates(rooms, rooms_power):
    r = rooms_power
    ds = r.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert list(ds.state.values) == rooms.state_names
    assert set(ds.action.values) == {"up", "down", "left", "right", "stay"}
    np.testing.assert_array_equal(ds.power.values, r["power"])
    for s, st in enumerate(r["states"]):
        for a in st["actions"]:
            here = ds.sel(state=st["name"], action=a["action"])
            assert bool(here.available) and float(here.optimal) == a["optimal"]
            assert float(here.successor_power) == a["successor_power"]["mean"]
        missing = set(ds.action.values) - {a["action"] for a in st["actions"]}
        for m in missing:
            here = ds.sel(state=st["name"], action=m)
            assert not bool(here.available) and np.isnan(float(here.optimal))
    assert [(int(a), int(b)) for a, b in zip(ds.row.values, ds.col.values)] == [cell(n) for n in rooms.state_names]
    assert ds.attrs["samples"] == 400 and ds.attrs["gamma"] == "0.9"


def test_grid_places_power_on_the_map(rooms, rooms_power):
    image = rooms_power.grid()
    for s, name in enumerate(rooms.state_names):
        assert image[cell(name)] == rooms_power["power"][s]
    walls = [(r, c) for r, row in enumerate(rooms_power["layout"]["rows"]) for c, ch in enumerate(row) if ch == "#"]
    assert all(np.isnan(image[w]) for w in walls)
    assert np.isfinite(image).sum() == rooms.n_states
    with pytest.raises(ValueError, match="no grid layout"):
        powerseek.power(powerseek.load_mdp(EXAMPLES / "fork.json"), samples=10).grid()


def test_equality_and_pickling(rooms_power):
    r = rooms_power
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is powerseek.PowerResult and back == r
    changed = dict(r)
    changed["power"] = r["power"] + 1e-12
    assert r != powerseek.PowerResult(changed)
    assert r != {"power": r["power"]}


def test_html_and_repr(rooms_power):
    html = rooms_power._repr_html_()
    assert "<table" in html and html.count("<tr>") == 21  # header + 20 rows
    assert "41 more rows" in html and "(1,1)" in html
    assert "61 states" in repr(rooms_power)


def test_missing_optional_dependency_names_the_extra(rooms_power, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'powerseek\[pandas\]'"):
        rooms_power.to_pandas()
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError, match=r"powerseek\[xarray\]"):
        rooms_power.to_xarray()
    # rows() and HTML need neither.
    assert len(rooms_power.rows()) == 61 and "<table" in rooms_power._repr_html_()


def test_unknown_table_is_an_error(rooms_power):
    with pytest.raises(ValueError, match="no table 'nope'"):
        rooms_power.to_pandas("nope")


# Games ---------------------------------------------------------------------------


def bos():
    return powerseek.game_from_numpy(np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]))


def test_solve_tables_are_exact():
    r = powerseek.solve(bos(), all=True)
    assert isinstance(r, powerseek.SolveResult)
    df = r.to_pandas()
    assert len(df) == 3 * 2 * 2  # three equilibria, two players, two actions
    assert all(isinstance(p, Fraction) for p in df.probability)
    for (_, _), group in df.groupby(["equilibrium", "player"]):
        assert sum(group.probability) == 1
    for k, e in enumerate(r["equilibria"]):
        for i, s in enumerate(e["strategies"]):
            got = df[(df.equilibrium == k) & (df.player == r["players"][i])].probability.tolist()
            assert got == s
    pay = r.to_pandas("payoffs")
    assert pay.max_regret.tolist() == [Fraction(0)] * 6
    assert pay.payoff.tolist() == [x for e in r["equilibria"] for x in e["payoffs"]]


def test_bayesian_solve_table_has_types():
    game = powerseek.load_bayesian(EXAMPLES.parent / "crates/powerseek/tests/data/gambit/bayes1a.efg")
    r = powerseek.solve(game, all=True)
    df = r.to_pandas()
    assert list(df.columns) == ["equilibrium", "player", "type", "action", "probability"]
    n = sum(len(t) * len(a) for t, a in zip(game.types, game.actions))
    assert len(df) == n * len(r["equilibria"])
    assert set(df.type) == {t for ts in game.types for t in ts}
    pay = r.to_pandas("payoffs")  # a Bayesian game's regret is interim
    assert pay.max_regret.tolist() == [e["max_interim_regret"] for e in r["equilibria"] for _ in e["payoffs"]]


def test_game_power_tables_and_xarray():
    r = powerseek.game_power(bos())
    assert isinstance(r, powerseek.GamePowerResult)
    df = r.to_pandas()
    assert len(df) == 2 * len(r["profiles"])
    for p in r["profiles"]:
        rows = df[df.profile == p["label"]]
        assert rows.power.tolist() == [q["power"] for q in p["players"]]
        assert all(isinstance(x, Fraction) for x in rows.power)
    ds = r.to_xarray()
    assert ds.power.shape == (len(r["profiles"]), 2)
    assert ds.power.values[0, 1] == float(r["profiles"][0]["players"][1]["power"])
    beh = r.to_pandas("behaviour")
    assert beh.groupby(["profile", "player"]).probability.sum().tolist() == [1] * (2 * len(r["profiles"]))


def test_alignment_metrics_table():
    r = powerseek.alignment(bos())
    df = r.to_pandas()
    alpha = df[df.metric == "alpha"].value.tolist()
    assert alpha == [r["alpha"]] and isinstance(alpha[0], Fraction)
    assert len(df[df.metric == "threat_point"]) == 2
    security = df[df.metric == "security_mixed"].value.tolist()
    assert security == [s["mixed_level"] for s in r["security"]]
    nash = df[df.metric == "nash_bargaining"].value.tolist()
    assert nash == r["nash_bargaining"]["exact_payoffs"]
    loc = r.to_pandas("localized")
    assert len(loc) == 2 * len(r["localized"])
    assert loc.surplus.tolist() == [x for entry in r["localized"] for x in entry["surplus"]]


# Retargeting ----------------------------------------------------------------------


def test_orbit_table_counts():
    r = powerseek.retarget_orbit([0.1, 0.5, 0.9, 0.3], [0], [1, 2])
    assert isinstance(r, powerseek.OrbitResult)
    df = r.to_pandas()
    assert list(df.decision) == [row["decision"] for row in r["results"]]
    assert (df.b_more + df.equal + df.a_more == df.total).all()
    assert df.ci95_low.isna().all()  # whole orbits: exact counts, no interval
    sampled = powerseek.retarget_orbit(np.linspace(0, 1, 25), [0], [1, 2], decision="argmax", samples=500, seed=1).to_pandas()
    assert (sampled.ci95_low <= sampled.fraction).all() and (sampled.fraction <= sampled.ci95_high).all()


def test_learned_first_moves():
    r = powerseek.retarget_learned(powerseek.load_mdp(EXAMPLES / "options.grid"), "left", "right", agents=30, seed=4)
    assert isinstance(r, powerseek.LearnedResult)
    df = r.to_pandas()
    assert df.first_move.tolist() == ["right", "left", "other"]
    assert df.agents.sum() == 30 and abs(df.share.sum() - 1) < 1e-12
    assert df.agents.tolist() == [r["result"]["chose_b"], r["result"]["chose_a"], r["result"]["chose_other"]]


# Scarcity -------------------------------------------------------------------------


def test_scarcity_tables_and_xarray():
    r = powerseek.scarcity(games=6, lambdas=[-1, 0, 1], seed=3)
    assert isinstance(r, powerseek.ScarcityResult)
    ds = r.to_xarray()
    assert list(ds["lambda"].values) == [-1, 0, 1]
    for k, s in enumerate(r["summaries"]):
        for m in r.metrics():
            assert float(ds["mean"].sel(metric=m).values[k]) == s[m]["mean"]
            assert float(ds["se"].sel(metric=m).values[k]) == s[m]["se"]
    df = r.to_pandas()
    assert len(df) == 3 * len(r.metrics())
    assert len(r.to_pandas("games")) == len(r["games"])


# Two agents -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid():
    return powerseek.load_mdp(EXAMPLES / "powerplay3x3.grid")


def test_two_agent_xarray_matches_the_arrays(grid):
    r = powerseek.sequential_power(grid, rho=0.5, samples=60, seed=1)
    assert isinstance(r, powerseek.TwoAgentResult)
    ds = r.to_xarray()
    np.testing.assert_array_equal(ds.power.values, r["power"])
    np.testing.assert_array_equal(ds.se.values, r["se"])
    np.testing.assert_array_equal(ds.per_cell.values, r["per_cell"])
    np.testing.assert_array_equal(ds.mean_power.values, r["mean_power"])
    assert list(ds.cell.values) == grid.state_names
    # Joint states name both agents' cells, as the state names say ("H's cell|A's cell").
    for name, h, a in zip(ds.joint_state.values, ds.H_cell.values, ds.A_cell.values):
        assert name == f"{h}|{a}"
    df = r.to_pandas()
    assert len(df) == 2 * r["joint_states"]
    cells = r.to_pandas("cells")
    assert [(a, b) for a, b in zip(cells.row[:9], cells.col[:9])] == [cell(n) for n in grid.state_names]


def test_rho_sweep_xarray_and_summary(grid):
    r = powerseek.rho_sweep(grid, [-1, 0, 1], samples=40, seed=2)
    assert isinstance(r, powerseek.RhoSweepResult)
    ds = r.to_xarray()
    assert list(ds.rho.values) == [-1, 0, 1]
    np.testing.assert_array_equal(ds.power.values, r["power"])
    np.testing.assert_array_equal(ds.mean_total.values, r["mean_total"])
    np.testing.assert_array_equal(ds.reward_correlation.values, r["reward_correlation"])
    s = r.to_pandas()
    total = s[s.series == "H+A"]["mean"].to_numpy()
    np.testing.assert_array_equal(total, r["mean_total"])


def test_focal_result(grid):
    r = powerseek.sequential_power(grid, agents=3, samples=20, seed=0)
    assert isinstance(r, powerseek.FocalResult)
    df = r.to_pandas()
    assert len(df) == r["joint_states"] and list(df.columns[:3]) == ["cell_0", "cell_1", "cell_2"]
    np.testing.assert_array_equal(df.power.to_numpy(), r["power"])
    assert [tuple(p) for p in r["layout"]["positions"]] == [cell(n) for n in grid.state_names]


# Conflict -------------------------------------------------------------------------


def test_phase_and_posterior_grids():
    phase = powerseek.conflict_phase(0.5, n_alignment=7, n_cost=5)
    assert isinstance(phase, powerseek.PhaseResult)
    ds = phase.to_xarray()
    np.testing.assert_array_equal(ds.probability.values, phase["probability"])
    np.testing.assert_array_equal(ds.gain.values, phase["gain"])
    df = phase.to_pandas()
    assert len(df) == 35
    row = df[(df.alignment == phase["alignments"][3]) & (df.cost == phase["costs"][2])]
    assert float(row.probability.iloc[0]) == phase["probability"][2, 3]
    post = powerseek.conflict_infer(truth=(-0.4, 0.2), episodes=50, seed=0, grid=11)
    assert isinstance(post, powerseek.PosteriorResult)
    np.testing.assert_array_equal(post.to_xarray().density.values, post["density"])
    assert abs(post.to_pandas().density.sum() - 1) < 1e-9


def test_conflict_trace_tables():
    r = powerseek.conflict_simulate((EXAMPLES / "conflict-little-to-lose.toml").read_text())
    assert isinstance(r, powerseek.ConflictTrace)
    assert r.agents() == [a["agent"] for a in r["initial"]]
    initial = r.to_pandas("initial")
    assert initial.power.tolist() == r["initial_powers"] and initial.agent.tolist() == r.agents()
    ev = r.to_pandas("events")
    assert len(ev) == len(r["events"])
    if len(ev):
        last = ev.iloc[-1][[f"power_{a}" for a in r.agents()]].tolist()
        assert last == r["events"][-1]["powers_after"]


def test_calibration_table():
    r = powerseek.conflict_calibrate(grid=9, episodes=20, replicates=4, seed=0)
    assert isinstance(r, powerseek.CalibrationResult)
    assert r.to_pandas().coverage.tolist() == [r["alignment_coverage"], r["cost_coverage"]]


def test_signatures_and_docs_name_the_result_types():
    import inspect

    assert inspect.signature(powerseek.power).return_annotation is powerseek.PowerResult
    assert "samples" in inspect.signature(powerseek.power).parameters
    assert "PowerResult" in powerseek.power.__doc__ and "POWER of every state" in powerseek.power.__doc__
    assert "FocalResult" in powerseek.sequential_power.__doc__
