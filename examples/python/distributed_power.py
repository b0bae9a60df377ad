"""A POWER estimate split into shards on Ray; the same numbers as one process.

    python examples/python/distributed_power.py [ray address]

Without an address Ray starts locally; with one (e.g. ray://head:10001) the
same code runs on a cluster.
"""

import pathlib
import sys
import time

import numpy as np
import ray

import powerseek
from powerseek import distributed

ray.init(address=sys.argv[1] if len(sys.argv) > 1 else None)
maze = powerseek.load_mdp(pathlib.Path(__file__).resolve().parents[1] / "maze100.grid")
started = time.perf_counter()
sharded = distributed.power(maze, samples=4_000, seed=1, shards=8)
print(f"{len(maze.state_names)} states, 8 shards: {time.perf_counter() - started:.2f} s")
local = powerseek.power(maze, samples=4_000, seed=1)
print("identical to one process:", np.array_equal(sharded["power"], local["power"]))
