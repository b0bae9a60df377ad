"""Every long call stops on Ctrl-C: SIGINT sent 0.3 s into the call raises
KeyboardInterrupt within a second of it, leaves no thread behind, and the
module works normally afterwards. Requests too large for the memory limit
fail at once with MemoryError."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import powerseek

DELAY = 0.3
# A call must stop within this after SIGINT (1 s was exceeded only while
# other builds loaded both cores).
WITHIN = 2.0


def os_threads() -> int:
    """OS threads of this process named like its main thread: powerseek's
    (rayon's and its relay's threads inherit the name). Threads that other
    libraries start and stop on their own, such as the gRPC timers a Ray
    test earlier in the session leaves behind, carry their own names."""
    with open("/proc/self/comm") as f:
        main = f.read()
    count = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as f:
                count += f.read() == main
        except FileNotFoundError:  # the thread ended while we looked
            pass
    return count


def interrupted(call):
    """Run ``call`` with SIGINT arriving after DELAY; return seconds from the signal to KeyboardInterrupt."""
    sent = []

    def fire():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(DELAY, fire)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
            # The call finished before the signal: wait for it so it cannot leak into the next test.
            timer.join()
            time.sleep(0.05)
        caught = time.monotonic()
    finally:
        timer.cancel()
        timer.join()  # the timer's own thread must not count as leaked
    assert sent, "the call ended before SIGINT was sent: make it longer"
    return caught - sent[0]


def big_game(n: int, seed: int = 1) -> powerseek.Game:
    rng = np.random.default_rng(seed)
    return powerseek.game_from_numpy(rng.integers(-10, 11, size=(2, n, n)))


def slow_decision_maker(utilities):
    # Argmax, written in Python: the library calls back for every permutation.
    p = np.zeros(len(utilities))
    p[int(np.argmax(utilities))] = 1.0
    return p


OPEN_GRID = ("." * 60 + "\n") * 60

LONG_CALLS = {
    "power": lambda: powerseek.power(powerseek.gridworld(OPEN_GRID), samples=10**9),
    "solve": lambda: powerseek.solve(big_game(40), all=True),
    "iter_equilibria": lambda: list(powerseek.iter_equilibria(big_game(40))),
    "bayesian_equilibria": lambda: powerseek.bayesian_equilibria(
        powerseek.BayesianGame.from_game(big_game(40, seed=2))
    ),
    "orbit_tendency (Python decision-maker)": lambda: powerseek.orbit_tendency(
        slow_decision_maker, np.arange(11, dtype=float), [0], [1, 2]
    ),
    "orbit_tendency (sampled, built-in)": lambda: powerseek.orbit_tendency(
        "boltzmann:1", np.arange(30, dtype=float), [0], [1, 2], samples=10**12
    ),
    "retarget_orbit": lambda: powerseek.retarget_orbit(np.arange(12, dtype=float), [0], [1, 2]),
    "retarget_check": lambda: powerseek.retarget_check(
        np.arange(8, dtype=float), [0], [1, 2], decision=slow_decision_maker, parameters=10**6
    ),
    "retarget_mdp": lambda: powerseek.retarget_mdp(
        powerseek.gridworld(".....\n..S..\n.....\n"), "up", "down", samples=10**9, parameters=1000
    ),
    "retarget_learned": lambda: powerseek.retarget_learned(
        powerseek.gridworld("S..\n.#.\n..T\n"), "right", "down", agents=10**7
    ),
    "trained_tendency (Python trainer)": lambda: powerseek.trained_tendency(
        powerseek.gridworld("S..\n.#.\n..T\n"), lambda reward: "right", "right", "down", samples=10**9, parameters=1
    ),
    "trained_tendency (built-in learner)": lambda: powerseek.trained_tendency(
        powerseek.gridworld("S..\n.#.\n..T\n"), "linear", "right", "down", samples=10**9, parameters=1
    ),
    "training_compatible": lambda: powerseek.training_compatible(
        powerseek.gridworld("S..\n.#.\n..T\n"), {}, "right", "down", samples=10**10
    ),
    "scarcity": lambda: powerseek.scarcity(games=10**6),
    "rho_sweep": lambda: powerseek.rho_sweep(powerseek.gridworld("...\n.#.\n...\n"), [0.0, 0.5, 1.0], samples=10**8),
}
if hasattr(powerseek, "conflict_calibrate"):
    LONG_CALLS["conflict_calibrate"] = lambda: powerseek.conflict_calibrate(grid=201, episodes=200, replicates=10**6)


@pytest.mark.parametrize("name", list(LONG_CALLS))
def test_long_calls_stop_on_ctrl_c(name):
    call = LONG_CALLS[name]
    # A call big enough to use the thread pool: it exists from here on.
    powerseek.power(powerseek.gridworld(OPEN_GRID), samples=64)
    time.sleep(0.1)
    before = os_threads()
    seconds = interrupted(call)
    assert seconds < WITHIN, f"{name}: KeyboardInterrupt {seconds:.2f} s after SIGINT"
    deadline = time.monotonic() + 3.0
    while os_threads() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert os_threads() <= before, f"{name}: {os_threads() - before} threads left running"
    # Still usable: the same module answers the next call.
    r = powerseek.power(powerseek.gridworld("T.T\n"), gamma=0.0, samples=2000)
    assert abs(r["power"][1] - 0.75) < 5 * r["se"][1]


def test_memory_limit_fails_fast_and_can_be_raised():
    assert powerseek.memory_limit() > 0
    try:
        powerseek.set_memory_limit("64M")
        assert powerseek.memory_limit() == 64 << 20
        started = time.monotonic()
        with pytest.raises(MemoryError, match=r"over the memory limit of 64\.0 MiB.*set_memory_limit"):
            powerseek.conflict_phase(n_alignment=100_000, n_cost=100_000)
        with pytest.raises(MemoryError, match="states"):
            powerseek.gridworld(("." * 3000 + "\n") * 3000)
        assert time.monotonic() - started < 5
        with pytest.raises(ValueError):
            powerseek.set_memory_limit("lots")
        with pytest.raises(ValueError):
            powerseek.set_memory_limit(0)
        powerseek.set_memory_limit(1 << 40)
        assert powerseek.memory_limit() == 1 << 40
    finally:
        powerseek.set_memory_limit(None)
    assert powerseek.memory_limit() < 1 << 40
