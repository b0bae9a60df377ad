"""Independent reference for POWER on a small open gridworld (numpy, vectorised
value iteration over all reward samples at once), written from docs/theory.md §2 alone.

It mirrors the protocol of POWERplay's single-agent 3x3 benchmark: moves
up/down/left/right/stay (off-grid moves are not actions), iid U[0,1] state
rewards, gamma = 0.6, 50 000 samples, value iteration until the largest change
is below 1e-4. Prints POWER and its standard error per cell, row by row.

    python3 bench/reference_gridworld_power.py [side] [samples] [gamma]
"""
import sys
import time

import numpy as np

side = int(sys.argv[1]) if len(sys.argv) > 1 else 3
samples = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
gamma = float(sys.argv[3]) if len(sys.argv) > 3 else 0.6

start = time.perf_counter()
cells = [(r, c) for r in range(side) for c in range(side)]
index = {cell: i for i, cell in enumerate(cells)}
moves = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
successors = [
    [index[(r + dr, c + dc)] for dr, dc in moves if (r + dr, c + dc) in index]
    for (r, c) in cells
]
rng = np.random.default_rng(0)
rewards = rng.random((samples, len(cells)))
values = np.zeros_like(rewards)
while True:
    best = np.stack([values[:, succ].max(axis=1) for succ in successors], axis=1)
    new = rewards + gamma * best
    change = np.abs(new - values).max()
    values = new
    if change < 1e-4:
        break
power_samples = (1 - gamma) / gamma * (values - rewards)
power = power_samples.mean(axis=0)
se = power_samples.std(axis=0, ddof=1) / np.sqrt(samples)
for (r, c), p, e in zip(cells, power, se):
    print(f"({r},{c}) {p:.5f} {e:.5f}")
print(f"# {time.perf_counter() - start:.2f} s")
