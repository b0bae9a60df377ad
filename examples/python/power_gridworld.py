"""POWER of every cell of a gridworld, as `powerseek power examples/rooms.grid --plot`.

    python examples/python/power_gridworld.py [examples/rooms.grid] [rooms-power.png]

Prints the five most powerful cells; with matplotlib installed, also draws the heatmap
(``r.plot()``); with pandas, ``r.to_pandas()`` is the table of every state.
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
    import matplotlib  # noqa: F401
except ImportError:
    sys.exit(0)
# The heatmap on the file's grid (the result's layout: walls, terminal cells, each state's row and column).
r.plot(title=f"POWER of {pathlib.Path(grid).name} (γ = 0.9)").savefig(out, dpi=120)
print(f"plot written to {out}")
