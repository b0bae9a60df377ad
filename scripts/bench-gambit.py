#!/usr/bin/env python3
"""powerseek against Gambit 17 (pygambit) on the same games, in one run.

Not part of the test suite. Needs a release build of the CLI and pygambit
17.0.0b2 (a pre-release, GPL; installed in its own virtual environment):

    cargo build --release -p powerseek-cli
    python3 -m venv /tmp/gambit-venv
    /tmp/gambit-venv/bin/pip install --pre pygambit==17.0.0b2 numpy
    /tmp/gambit-venv/bin/python scripts/bench-gambit.py [--games 5] [--sizes 4,6,8,10] [--timeout 120]

Two parts, each printing a Markdown table of medians:

1. Random bimatrix games (integer payoffs uniform in [-10, 10], numpy's
   PCG64 from seed 2026 + 1000·size + k): `powerseek game solve --all`
   (vertex enumeration by reverse search) against `enummixed_solve(rational=True)`.
   The sets of extreme equilibria are compared exactly (rationals).
2. Gambit's n-player test games (crates/powerseek/tests/data/gambit) and
   seeded random 3×3×3 games: powerseek's `poly` against `enumpoly_solve`,
   and powerseek's `simpdiv` against `simpdiv_solve` (from the centroid) and
   `gnm_solve`. Reported: times, counts, and whether every equilibrium
   Gambit returns is one of powerseek's poly equilibria (to 1e-6).

When the `powerseek` Python package is importable (run with the test
suite's virtual environment, which has a release wheel and pygambit), the
bimatrix table also times `powerseek.solve(game, all=True)` in process,
around the call as Gambit's is timed. `--repeats R` (default 3) times R
calls of each side on each game after one untimed call, in the same
process, and takes their median: one cold call after the previous game's
subprocesses measures page faults and cache misses more than the solver.

Times are wall seconds: powerseek's per process (`powerseek` started once
per game, so it includes process start-up, a few ms), Gambit's around the
solver call in a worker process (a timeout kills it). The machine these
figures come from is shared and noisy; run several times before reading
ratios closely.
"""

import argparse
import importlib.util
import json
import multiprocessing as mp
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
POWERSEEK = ROOT / "target" / "release" / "powerseek"
GAMBIT_GAMES = ROOT / "crates" / "powerseek" / "tests" / "data" / "gambit"
N_PLAYER = ["2x2x2.nfg", "2x2x2x2.nfg", "3x3x3.nfg", "catalog_ijgt_nau2004_sec4.nfg",
            "catalog_ijgt_nau2004_sec5.nfg", "catalog_ijgt_nau2004_sec6.nfg", "coord333.nfg", "5x4x3.nfg"]


def write_nfg(path, payoffs, title):
    """`payoffs[i][profile]` for profiles in Gambit's order (player 1 fastest)."""
    shape = payoffs.shape[1:]
    n = len(shape)
    head = f'NFG 1 R "{title}" {{ ' + " ".join(f'"P{i + 1}"' for i in range(n)) + " } { " + " ".join(map(str, shape)) + " }\n\n"
    flat = [payoffs[i].reshape(-1, order="F") for i in range(n)]
    body = " ".join(str(int(flat[i][k])) for k in range(flat[0].size) for i in range(n))
    path.write_text(head + body + "\n")


def powerseek(path, method=None):
    cmd = [str(POWERSEEK), "game", "solve", "--all", "--format", "json", str(path)]
    if method:
        cmd += ["--method", method]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{cmd}: {out.stderr}")
    return wall, json.loads(out.stdout)


def timed(call, repeats):
    """The median wall seconds of `repeats` calls after one untimed call, and the last result."""
    result = call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def powerseek_in_process(path, repeats):
    """Seconds around `powerseek.solve(game, all=True)` (the Python package, a
    release wheel): the solver without process start-up, timed as Gambit's is."""
    import powerseek as ps

    game = ps.load_game(str(path))
    wall, result = timed(lambda: ps.solve(game, all=True), repeats)
    return wall, {exact_profile(e["strategies"]) for e in result["equilibria"]}


def exact_profile(strategies):
    return tuple(tuple(Fraction(str(p)) for p in s) for s in strategies)


def float_profile(strategies):
    return [[float(Fraction(str(p))) for p in s] for s in strategies]


def gambit_worker(path, solver, queue, repeats=0):
    """Gambit's `solver` on `path`: one call timed, or with `repeats` the
    median of that many after an untimed one (as `timed`)."""
    import pygambit as gbt

    game = gbt.read_nfg(str(path))

    def call():
        if solver == "enummixed":
            return gbt.nash.enummixed_solve(game, rational=True)
        if solver == "enumpoly":
            return gbt.nash.enumpoly_solve(game)
        if solver == "gnm":
            return gbt.nash.gnm_solve(game)
        if solver == "simpdiv":
            return gbt.nash.simpdiv_solve(game.mixed_strategy_profile(rational=True))
        raise ValueError(solver)

    if repeats:
        wall, result = timed(call, repeats)
    else:
        start = time.perf_counter()
        result = call()
        wall = time.perf_counter() - start
    # pygambit 17: players are labels; a profile indexed by a player label is
    # (strategy label, probability) pairs, in the game's order.
    found = [result.equilibrium] if solver == "simpdiv" else result.equilibria
    eqs = [[[str(v) for _, v in eq[p]] for p in game.players] for eq in found]
    queue.put((wall, eqs))


def gambit(path, solver, timeout, repeats=0):
    queue = mp.Queue()
    proc = mp.Process(target=gambit_worker, args=(path, solver, queue, repeats))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    if queue.empty():
        raise RuntimeError(f"Gambit's {solver} failed on {path} (exit code {proc.exitcode})")
    return queue.get()


def close(a, b, tol=1e-6):
    return all(abs(x - y) < tol for s, t in zip(a, b) for x, y in zip(s, t))


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bimatrix_part(sizes, games, timeout, tmp, repeats):
    print("\n### Random bimatrix games: all extreme equilibria\n")
    # The in-process column needs the Python package.
    in_process = importlib.util.find_spec("powerseek") is not None
    print("| size | games | powerseek s (median) | Gambit enummixed s (median, finished) | Gambit finished | same sets | ratio (median of per-game ratios) | in process: powerseek s | in-process ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        ours, theirs, ratios, same, finished = [], [], [], 0, 0
        inner, inner_ratios = [], []
        for k in range(games):
            rng = np.random.Generator(np.random.PCG64(2026 + 1000 * size + k))
            payoffs = rng.integers(-10, 11, size=(2, size, size))
            path = tmp / f"bimatrix_{size}_{k}.nfg"
            write_nfg(path, payoffs, f"random {size}x{size} #{k}")
            wall, sol = powerseek(path)
            ours.append(wall)
            mine = {exact_profile(e["strategies"]) for e in sol["equilibria"]}
            if in_process:
                t, theirs_in = powerseek_in_process(path, repeats)
                assert theirs_in == mine, f"{path}: the package and the CLI disagree"
                inner.append(t)
            g = gambit(path, "enummixed", timeout, repeats)
            if g is None:
                continue
            finished += 1
            theirs.append(g[0])
            ratios.append(g[0] / wall)
            if in_process:
                inner_ratios.append(g[0] / inner[-1])
            same += {exact_profile(e) for e in g[1]} == mine
        extra = f" {median(inner):.5f} | {median(inner_ratios):.0f}× |" if in_process else " — | — |"
        print(f"| {size}×{size} | {games} | {median(ours):.4f} | {median(theirs):.4f} | {finished}/{games} | {same}/{finished} | {median(ratios):.0f}× |{extra}")
        sys.stdout.flush()


def n_player_part(random_games, timeout, tmp):
    files = [(f, GAMBIT_GAMES / f) for f in N_PLAYER]
    for k in range(random_games):
        rng = np.random.Generator(np.random.PCG64(3000 + k))
        path = tmp / f"random_3x3x3_{k}.nfg"
        write_nfg(path, rng.integers(-10, 11, size=(3, 3, 3, 3)), f"random 3x3x3 #{k}")
        files.append((f"random 3x3x3 #{k}", path))
    print("\n### n-player games\n")
    print("| game | poly s | poly eq | Gambit enumpoly s | enumpoly eq | enumpoly ⊆ poly | simpdiv s | simpdiv eq | Gambit simpdiv s | Gambit gnm s | gnm eq | gnm ⊆ poly |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, path in files:
        poly_wall, poly = powerseek(path, "poly")
        poly_eqs = [float_profile(e["strategies"]) for e in poly["equilibria"]]
        sd_wall, sd = powerseek(path, "simpdiv")
        row = [name, f"{poly_wall:.3f}", str(len(poly_eqs))]
        for solver in ["enumpoly", "simpdiv", "gnm"]:
            g = gambit(path, solver, timeout)
            if solver == "simpdiv":
                row += [f"{sd_wall:.3f}", str(len(sd["equilibria"]))]
            if g is None:
                row += ["timeout"] + (["—", "—"] if solver != "simpdiv" else [])
                continue
            wall, eqs = g
            row.append(f"{wall:.3f}")
            if solver != "simpdiv":
                fl = [[[float(Fraction(x)) for x in s] for s in e] for e in eqs]
                row += [str(len(fl)), "yes" if all(any(close(e, p) for p in poly_eqs) for e in fl) else "**no**"]
        print("| " + " | ".join(row) + " |")
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--games", type=int, default=5, help="random bimatrix games per size")
    ap.add_argument("--sizes", default="4,6,8,10", help="bimatrix sizes")
    ap.add_argument("--random-n-player", type=int, default=3, help="random 3x3x3 games")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per Gambit call")
    ap.add_argument("--repeats", type=int, default=3, help="bimatrix: timed calls per game and side after an untimed one (median)")
    ap.add_argument("--skip-bimatrix", action="store_true")
    ap.add_argument("--skip-n-player", action="store_true")
    args = ap.parse_args()
    if not POWERSEEK.exists():
        sys.exit(f"{POWERSEEK} missing: cargo build --release -p powerseek-cli")
    import pygambit

    print(f"pygambit {pygambit.__version__}; powerseek {POWERSEEK}")
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        if not args.skip_bimatrix:
            bimatrix_part([int(s) for s in args.sizes.split(",")], args.games, args.timeout, tmp, args.repeats)
        if not args.skip_n_player:
            n_player_part(args.random_n_player, args.timeout, tmp)


if __name__ == "__main__":
    main()
