"""Ray shards: same answer as one process, for any shard count, after a failure."""

import pathlib

import numpy as np
import pytest

import powerseek

# Ray is part of the test environment (scripts/test-all.sh installs it): a
# missing Ray is a failure, not a skip.
import ray  # noqa: E402
from powerseek import distributed  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    yield
    ray.shutdown()


def test_sharded_power_equals_the_single_process_estimate_bit_for_bit(local_ray, tmp_path):
    rooms = powerseek.load_mdp(pathlib.Path(__file__).resolve().parents[3] / "examples" / "rooms.grid")
    args = dict(gamma=0.9, samples=2_000, seed=42, batch=64)
    single = powerseek.power(rooms, **args)
    for shards in (1, 3, 7):
        sharded = distributed.power(rooms, shards=shards, **args)
        np.testing.assert_array_equal(sharded["power"], single["power"])
        np.testing.assert_array_equal(sharded["se"], single["se"])
        np.testing.assert_array_equal(sharded["optimal_share"], single["optimal_share"])

    # One task fails once (the marker file is removed by the failing attempt); Ray retries it.
    marker = tmp_path / "fail-once"
    marker.write_text("x")

    def fail_once(first, path=str(marker)):
        p = pathlib.Path(path)
        if first > 0 and p.exists():
            p.unlink()
            raise RuntimeError("injected failure")

    retried = distributed.power(rooms, shards=4, _task_hook=fail_once, **args)
    assert not marker.exists(), "the failure was injected"
    np.testing.assert_array_equal(retried["power"], single["power"])


def test_sharded_scarcity_and_orbit_tendency(local_ray):
    kwargs = dict(games=10, lambdas=[-1.0, 0.0, 1.0], seed=3)
    single = powerseek.scarcity(**kwargs)
    sharded = distributed.scarcity(**kwargs)
    assert [s["total_power"] for s in sharded["summaries"]] == [s["total_power"] for s in single["summaries"]]
    u, n = [0.1, 0.4, 0.7, 1.0, 1.3], 20_000
    single = powerseek.orbit_tendency("argmax", u, [0], [1, 2], samples=n, seed=9)
    for shards in (1, 3):
        counts = distributed.orbit_tendency("argmax", u, [0], [1, 2], samples=n, seed=9, shards=shards)
        assert counts == single
    # Argmax picks B on 2/5 of permutations and A on 1/5.
    assert abs(single["b_more"] / n - 0.4) < 0.02


def test_sharded_rho_sweep(local_ray):
    grid = powerseek.gridworld("...\n...\n")
    kwargs = dict(turns="simultaneous", other="powerplay", gamma=0.5, samples=40, seed=2)
    single = powerseek.rho_sweep(grid, [-1.0, 0.5, 1.0], **kwargs)
    sharded = distributed.rho_sweep(grid, [-1.0, 0.5, 1.0], **kwargs)
    for key in ("power", "se", "mean_total", "per_cell"):
        np.testing.assert_array_equal(sharded[key], single[key])


def test_sharded_stochastic_lambda_sweep(local_ray):
    import functools

    make = functools.partial(powerseek.stochastic_game_from_grid, powerseek.gridworld("..\n.#\n"))
    kwargs = dict(gamma=0.5, samples=6, seed=3)
    single = powerseek.stochastic_lambda_sweep(make(), [0.0, 0.5, 1.0], **kwargs)
    sharded = distributed.stochastic_lambda_sweep(make, [0.0, 0.5, 1.0], **kwargs)
    for key in ("lambda", "total_mean", "total_se", "power_mean", "power_se"):
        np.testing.assert_array_equal(sharded[key], single[key])
    assert [p["lambda"] for p in sharded["points"]] == [0.0, 0.5, 1.0]
    # λ = 1 is constant-sum (c = 1): ΣPOWER = 1 at equilibrium.
    assert abs(single["total_mean"][2] - 1.0) < 1e-5
    with pytest.raises(TypeError, match="callable"):
        distributed.stochastic_lambda_sweep(make(), [0.0])


def test_tasks_declare_their_cpus_and_give_the_same_answer(local_ray, tmp_path):
    rooms = powerseek.load_mdp(pathlib.Path(__file__).resolve().parents[3] / "examples" / "rooms.grid")
    args = dict(gamma=0.9, samples=1_000, seed=5, batch=64)
    single = powerseek.power(rooms, **args)

    def record(first, path=str(tmp_path)):
        cpus = ray.get_runtime_context().get_assigned_resources().get("CPU")
        (pathlib.Path(path) / f"task-{first}").write_text(str(cpus))

    for cpus in (1, 2):
        for f in tmp_path.glob("task-*"):
            f.unlink()
        sharded = distributed.power(rooms, shards=3, cpus_per_task=cpus, _task_hook=record, **args)
        np.testing.assert_array_equal(sharded["power"], single["power"])
        seen = {f.read_text() for f in tmp_path.glob("task-*")}
        assert seen == {str(float(cpus))}, seen
    kwargs = dict(games=6, lambdas=[-1.0, 1.0], seed=3)
    assert distributed.scarcity(cpus_per_task=2, **kwargs)["summaries"] == powerseek.scarcity(**kwargs)["summaries"]
    with pytest.raises(ValueError, match="cpus_per_task"):
        distributed.power(rooms, cpus_per_task=0, **args)


def test_sharded_trained_tendency_equals_the_single_process_report(local_ray):
    def _rule_trainer(reward):
        """Argmax on the fork in closed form (cheap enough for many samples; defined
        here so that Ray pickles it by value): right when the best of the
        three-way branch beats the one-way branch."""
        g = 0.9
        left = reward[1] + g * reward[3] / (1 - g)
        right = reward[2] + g * max(reward[4:]) / (1 - g)
        return "right" if right > left else "left"

    fork = powerseek.load_mdp(pathlib.Path(__file__).resolve().parents[3] / "examples" / "fork.json")
    samples = 2 * powerseek._native.TENDENCY_CHUNK + 300
    args = dict(parameters=2, samples=samples, seed=6)
    single = powerseek.trained_tendency(fork, _rule_trainer, "left", "right", **args)
    for shards in (1, 3):
        sharded = distributed.trained_tendency(fork, _rule_trainer, "left", "right", shards=shards, **args)
        assert isinstance(sharded, powerseek.TrainedResult)
        assert sharded == single
    learned = dict(parameters=1, samples=300, seed=6, training=dict(episodes=50))
    single = powerseek.trained_tendency(fork, "linear", "left", "right", **learned)
    assert distributed.trained_tendency(fork, "linear", "left", "right", shards=2, **learned) == single
