"""POWER of every cell of a gridworld, as `powerseek power examples/rooms.grid --plot`.

    python examples/python/power_gridworld.py [examples/rooms.grid] [rooms-power.png]

Prints the five most powerful cells; with matplotlib installed, also draws the heatmap.
"""

import pathlib
import sys

import numpy as np

import powerseek

here = pathlib.Path(__file__).resolve().parents[1]
grid = sys.argv[1] if len(sys.argv) > 1 else str(here / "rooms.grid")
out = sys.argv[2] if len(sys.argv) > 2 else "rooms-power.png"

mdp = powerseek.load_mdp(grid)
r = powerseek.power(mdp, gamma=0.9, samples=10_000, seed=0)
print(f"{grid}: {mdp.n_states} states, {r['samples']} samples, {r['seconds']:.3f} s")
for s in np.argsort(-r["power"])[:5]:
    print(f"{mdp.state_names[s]:>8}  POWER {r['power'][s]:.5f} ± {r['se'][s]:.5f}")

try:
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
# Gridworld states are named "(row,col)".
cells = [tuple(int(x) for x in name.strip("()").split(",")) for name in mdp.state_names]
height, width = max(c[0] for c in cells) + 1, max(c[1] for c in cells) + 1
image = np.full((height, width), np.nan)
for (row, col), p in zip(cells, r["power"]):
    image[row, col] = p
plt.imshow(image, cmap="viridis")
plt.colorbar(label="POWER")
plt.title(f"POWER of {pathlib.Path(grid).name} (γ = 0.9)")
plt.savefig(out, dpi=120)
print(f"plot written to {out}")
