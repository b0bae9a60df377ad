"""Trained agents as decision-makers (docs/theory.md §7.2–7.3): a Python
trainer that is exactly argmax reproduces argmax's orbit counts; the
built-in learners' intervals contain the exact tendency; Ray shards give the
single-process report; the training-compatible sampler matches its closed form."""

import pathlib

import numpy as np
import pytest

import powerseek

EXAMPLES = pathlib.Path(__file__).resolve().parents[3] / "examples"


def value_iteration_trainer(mdp, gamma=0.9, sweeps=400):
    """A tiny hand-written trainer: numpy value iteration on the reward
    (deterministic MDPs), then the greedy first move at the start state (an
    action name)."""
    names, rows = mdp.parts()
    n, width = len(names), max(len(a) for a in mdp.actions)
    succ = np.arange(n)[:, None].repeat(width, axis=1)  # padding: a state's own index...
    valid = np.zeros((n, width), dtype=bool)  # ...masked out
    slot = [0] * n
    for s, _, row in rows:
        ((t, _),) = row
        succ[s, slot[s]], valid[s, slot[s]] = t, True
        slot[s] += 1
    start = 0 if mdp.start is None else mdp.start  # both MDPs here list their start state first

    def train(reward, seed):
        v = np.zeros(n)
        for _ in range(sweeps):
            v = reward + gamma * np.where(valid, v[succ], -np.inf).max(axis=1)
        q = v[succ[start, : slot[start]]]
        return mdp.actions[start][int(np.argmax(q))]

    return train


def tiny():
    """start: 'left' to an absorbing state, 'right' to a hub with two."""
    return powerseek.Mdp._from_parts(
        ["start", "l", "hub", "x", "y"],
        [
            (0, "left", [(1, 1.0)]),
            (0, "right", [(2, 1.0)]),
            (1, "stay", [(1, 1.0)]),
            (2, "a", [(3, 1.0)]),
            (2, "b", [(4, 1.0)]),
            (3, "stay", [(3, 1.0)]),
            (4, "stay", [(4, 1.0)]),
        ],
    )


@pytest.fixture(scope="module")
def fork():
    return powerseek.load_mdp(EXAMPLES / "fork.json")


def argmax_counts(mdp, u, samples, seed):
    r = powerseek.retarget_mdp(
        mdp, "left", "right", state="start", decision="argmax", u=u, parameters=0, samples=samples, seed=seed
    )
    w = r["worst_orbit"][0]
    return (w["b_more"], w["equal"], w["a_more"])


def test_a_python_argmax_trainer_reproduces_argmax_orbit_counts(fork):
    trainer = value_iteration_trainer(fork)
    u = [0.3, 0.1, 0.9, 0.5, 0.2, 0.8, 0.4]
    # The whole orbit (120 rewards) of the tiny MDP, and sampled orbits of the fork.
    whole = powerseek.trained_tendency(tiny(), value_iteration_trainer(tiny()), "left", "right", state="start", u=u[:5])
    o = whole["orbits"][0]
    assert (o["b_more"], o["equal"], o["a_more"]) == argmax_counts(tiny(), u[:5], None, 0)
    assert o["total"] == 120 and o["ci95"] is None
    for samples in (300,):
        r = powerseek.trained_tendency(fork, trainer, "left", "right", u=u, samples=samples, seed=4)
        assert isinstance(r, powerseek.TrainedResult)
        o = r["orbits"][0]
        assert (o["b_more"], o["equal"], o["a_more"]) == argmax_counts(fork, u, samples, 4)
        assert o["b_more"] > 0 and o["a_more"] > 0
        assert o["ci95"] is not None
    assert r["trainer"] == "python" and r["training"] is None
    assert [row[0] for row in r.rows()] == [0]
    # The same trainer as f(reward) and answering with an index or probabilities.
    index = lambda reward: ["left", "right"].index(trainer(reward, 0))  # noqa: E731
    probs = lambda reward, seed: np.eye(2)[index(reward)]  # noqa: E731
    for t in (index, probs):
        again = powerseek.trained_tendency(fork, t, "left", "right", u=u, samples=300, seed=4, threads=2)
        assert again == r


def test_the_docstring_example_runs(monkeypatch):
    import doctest

    monkeypatch.chdir(EXAMPLES.parent)
    # The labelled wrapper keeps the docstring of the function it wraps.
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(powerseek.trained_tendency, "trained_tendency", globs={}):
        runner.run(test)
    assert runner.tries >= 6 and runner.failures == 0


def test_built_in_learners_intervals_contain_the_exact_argmax_tendency():
    mdp = tiny()
    u = [0.3, 0.1, 0.9, 0.5, 0.7]
    exact = powerseek.retarget_mdp(mdp, "left", "right", state="start", decision="argmax", u=u, parameters=0)
    w = exact["worst_orbit"][0]
    fraction = w["b_more"] / w["total"]
    settings = dict(episodes=600, horizon=8, epsilon=0.5)
    for learner in ("tabular", "linear"):
        r = powerseek.trained_tendency(mdp, learner, "left", "right", state="start", u=u, samples=200, seed=1, training=settings)
        lo, hi = r["orbits"][0]["ci95"]
        assert lo <= fraction <= hi, (learner, fraction, r["orbits"][0])
        assert r["training"]["learner"] == learner
    with pytest.raises(ValueError, match="built-in learners"):
        powerseek.trained_tendency(mdp, lambda r: "left", "left", "right", state="start", training=settings)


def test_a_trainers_errors_are_raised_as_they_are(fork):
    def broken(reward, seed):
        raise ZeroDivisionError("inside the trainer")

    with pytest.raises(ZeroDivisionError, match="inside the trainer"):
        powerseek.trained_tendency(fork, broken, "left", "right", parameters=1, samples=50)
    with pytest.raises(ValueError, match="action 'go', which is not available in state 'start'"):
        powerseek.trained_tendency(fork, lambda r: "go", "left", "right", parameters=1, samples=50)
    with pytest.raises(ValueError, match="action index 5"):
        powerseek.trained_tendency(fork, lambda r: 5, "left", "right", parameters=1, samples=50)
    with pytest.raises(TypeError, match="must return an action name"):
        powerseek.trained_tendency(fork, lambda r: None, "left", "right", parameters=1, samples=50)


def test_the_shutdown_example_matches_its_closed_form():
    mdp = powerseek.load_mdp(EXAMPLES / "shutdown.json")
    r = powerseek.training_compatible(mdp, {"train": "right"}, "shutdown", "continue", samples=8000, seed=2)
    assert isinstance(r, powerseek.CompatibleResult)
    for key, exact in (("acceptance", 0.5), ("power_seeking", 0.725), ("prior_power_seeking", 0.65)):
        p = r[key]
        assert abs(p["estimate"] - exact) < 4 * p["se"], (key, p)
    assert [row[0] for row in r.rows()] == ["acceptance", "power_seeking", "prior_power_seeking"]
    again = powerseek.training_compatible(mdp, [("train", "right")], "shutdown", "continue", samples=8000, seed=2, threads=1)
    assert again == r
