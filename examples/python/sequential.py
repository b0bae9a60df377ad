"""Two agents on POWERplay's 3×3 grid: Σ POWER against the reward correlation ρ,
as `powerseek multi sweep examples/powerplay3x3.grid --turns simultaneous --other powerplay --gamma 0.2 --plot`.

    python examples/python/sequential.py [sweep.png]
"""

import pathlib
import sys

import numpy as np

import powerseek

grid = powerseek.load_mdp(pathlib.Path(__file__).resolve().parents[1] / "powerplay3x3.grid")
rhos = np.linspace(-1, 1, 9)
r = powerseek.rho_sweep(grid, rhos, turns="simultaneous", other="powerplay", gamma=0.2, samples=1_000)
print(f"{'ρ':>6} {'POWER_H':>16} {'POWER_A':>16} {'sum':>16}")
for k, rho in enumerate(rhos):
    (h, a), (sh, sa) = r["mean_power"][k], r["mean_power_se"][k]
    print(f"{rho:>6.2f} {h:>9.4f} ± {sh:.4f} {a:>9.4f} ± {sa:.4f} {r['mean_total'][k]:>9.4f} ± {r['mean_total_se'][k]:.4f}")

try:
    import matplotlib  # noqa: F401
except ImportError:
    sys.exit(0)
out = sys.argv[1] if len(sys.argv) > 1 else "sweep.png"
r.plot().savefig(out, dpi=120)  # Σ POWER, POWER_H and POWER_A against ρ with 95% bands
print(f"plot written to {out}")
