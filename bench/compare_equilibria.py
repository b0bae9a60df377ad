"""Compare powerseek's exact enumeration of all extreme equilibria with lrsnash,
pygambit's exact enummixed and nashpy's vertex enumeration, on the same seeded
random bimatrix games, checking that every solver finds the same equilibria.

    bash bench/setup-venv.sh                       # numpy, nashpy, pygambit
    apt-get install lrslib                         # lrsnash
    cargo bench -p powerseek --bench equilibria -- --games 20 --out /tmp/eqbench
    bench/.venv/bin/python bench/compare_equilibria.py /tmp/eqbench

Times: powerseek's in-process time per game (from the bench's JSON), lrsnash's
CPU time per game (its process, from the OS), pygambit's and nashpy's
in-process time. Slow solvers run on the first few games of each size only,
with a time limit, and say so.
"""
import glob
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import time
from fractions import Fraction

directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/eqbench"
LIMITS = {  # games per size for the slow solvers, and a per-game time limit in seconds
    "pygambit": {4: 20, 8: 5, 12: 2},
    "nashpy": {4: 20, 8: 3, 12: 1},
}
TIMEOUT = 150


def canonical_exact(eq):
    return "|".join(",".join(str(Fraction(x)) for x in s) for s in eq)


def canonical_float(eq):
    # round, then add 0.0 so that -0.0 and tiny negatives print as 0.000000
    return "|".join(",".join(f"{round(float(Fraction(x)), 6) + 0.0:.6f}" for x in s) for s in eq)


def run_lrsnash(path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["lrsnash", path], capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # Blocks separated by blank lines: lines "2 ..." give player 2's strategy
    # (then player 1's payoff), lines "1 ..." player 1's; every pair in a block
    # is an equilibrium.
    eqs = set()
    for block in out.split("\n\n"):
        xs, ys = [], []
        for line in block.strip().splitlines():
            parts = line.split()
            if not parts or parts[0] not in ("1", "2"):
                continue
            strategy = [Fraction(p) for p in parts[1:-1]]
            (xs if parts[0] == "1" else ys).append(strategy)
        for x in xs:
            for y in ys:
                eqs.add(canonical_exact([x, y]))
    return cpu, eqs


def gambit_worker(path, queue):
    import pygambit as gbt

    game = gbt.read_nfg(path)
    start = time.process_time()
    result = gbt.nash.enummixed_solve(game, rational=True)
    cpu = time.process_time() - start
    eqs = {canonical_exact([[Fraction(str(eq[s])) for s in p.strategies] for p in game.players]) for eq in result.equilibria}
    queue.put((cpu, eqs))


def nashpy_worker(path, queue):
    import nashpy
    import numpy as np

    with open(path.replace(".nfg", ".lrs")) as f:
        rows = [list(map(Fraction, line.split())) for line in f if line.strip()]
    m, n = map(int, rows[0])
    a = np.array([[float(x) for x in r] for r in rows[1 : 1 + m]])
    b = np.array([[float(x) for x in r] for r in rows[1 + m : 1 + 2 * m]])
    start = time.process_time()
    eqs = {canonical_float([list(x), list(y)]) for x, y in nashpy.Game(a, b).vertex_enumeration()}
    queue.put((time.process_time() - start, eqs))


def with_timeout(worker, path):
    queue = mp.Queue()
    proc = mp.Process(target=worker, args=(path, queue))
    proc.start()
    proc.join(TIMEOUT)
    if proc.is_alive():
        proc.terminate()
        return None
    return queue.get() if not queue.empty() else None


def main():
    print(f"games from {directory}")
    print(f"{'size':>5} {'solver':<10} {'games':>5} {'s/game':>10} {'games/s':>9}  agreement with powerseek")
    for size in (4, 8, 12):
        files = sorted(glob.glob(os.path.join(directory, f"g{size}_*.nfg")))
        if not files:
            continue
        ours = {}
        ours_time = 0.0
        for f in files:
            with open(f.replace(".nfg", ".json")) as h:
                doc = json.load(h)
            ours[f] = doc["equilibria"]
            ours_time = doc["seconds_total"]
        print(f"{size:>5} {'powerseek':<10} {len(files):>5} {ours_time:>10.4f} {1 / ours_time:>9.1f}  (exact, reference)")
        # lrsnash: every game.
        total, agree = 0.0, 0
        for f in files:
            cpu, eqs = run_lrsnash(f.replace(".nfg", ".lrs"))
            total += cpu
            agree += eqs == {canonical_exact(e) for e in ours[f]}
        print(f"{size:>5} {'lrsnash':<10} {len(files):>5} {total / len(files):>10.4f} {len(files) / max(total, 1e-9):>9.1f}  same equilibria on {agree}/{len(files)}")
        for name, worker, canon in (("pygambit", gambit_worker, canonical_exact), ("nashpy", nashpy_worker, canonical_float)):
            subset = files[: LIMITS[name][size]]
            total, agree, done, missing = 0.0, 0, 0, 0
            for f in subset:
                r = with_timeout(worker, f)
                if r is None:
                    continue
                cpu, eqs = r
                total += cpu
                done += 1
                mine = {canon(e) for e in ours[f]}
                agree += eqs == mine
                missing += len(mine - eqs)
            if done == 0:
                print(f"{size:>5} {name:<10} {0:>5} {'> ' + str(TIMEOUT):>10} {'-':>9}  timed out")
                continue
            note = f"same equilibria on {agree}/{done}"
            if missing:
                note += f"; missed {missing} equilibria in all"
            if done < len(subset):
                note += f"; {len(subset) - done} timed out (> {TIMEOUT} s)"
            print(f"{size:>5} {name:<10} {done:>5} {total / done:>10.4f} {done / max(total, 1e-9):>9.1f}  {note}")


if __name__ == "__main__":
    main()
