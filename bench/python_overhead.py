"""Overhead of calling powerseek through Python on a 10 000-sample POWER estimate.

    python bench/python_overhead.py [examples/maze100.grid] [repeats]

Times `powerseek.power` from Python (wall clock around the call: argument
checks, GIL release, building numpy arrays) against the Rust estimator's own
timer for the same call, and prints the overhead per run and the median.
"""

import pathlib
import statistics
import sys
import time

import powerseek

grid = sys.argv[1] if len(sys.argv) > 1 else str(pathlib.Path(__file__).resolve().parents[1] / "examples" / "maze100.grid")
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
mdp = powerseek.load_mdp(grid)
powerseek.power(mdp, samples=200)  # warm up threads and caches
overheads = []
for i in range(repeats):
    started = time.perf_counter()
    r = powerseek.power(mdp, samples=10_000, seed=i)
    wall = time.perf_counter() - started
    overheads.append((wall - r["seconds"]) / r["seconds"])
    print(f"run {i}: Python wall {wall:.4f} s, Rust estimator {r['seconds']:.4f} s, overhead {100 * overheads[-1]:.3f}%")
print(f"{mdp.n_states} states, 10 000 samples: median overhead {100 * statistics.median(overheads):.3f}%")
