"""The power-scarcity sweep over λ, as `powerseek experiment scarcity --plot`.

    python examples/python/scarcity.py [scarcity.png]
"""

import sys

import powerseek

r = powerseek.scarcity(players=2, actions=3, games=200, seed=0)
print(f"{'λ':>6} {'Σ POWER at equilibrium':>24} {'α':>16}")
for s in r["summaries"]:
    tp, al = s["total_power"], s["alpha"]
    print(f"{s['lambda']:>6.1f} {tp['mean']:>15.3f} ± {tp['se']:.3f} {al['mean']:>9.3f} ± {al['se']:.3f}")

try:
    import matplotlib  # noqa: F401
except ImportError:
    sys.exit(0)
out = sys.argv[1] if len(sys.argv) > 1 else "scarcity.png"
r.plot().savefig(out, dpi=120)  # each metric against λ with its 95% band
print(f"plot written to {out}")
