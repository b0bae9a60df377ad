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
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
out = sys.argv[1] if len(sys.argv) > 1 else "scarcity.png"
lam = [s["lambda"] for s in r["summaries"]]
for key, label in [("total_power", "Σ POWER at equilibrium"), ("best_case_power", "best-case Σ POWER"), ("alpha", "α")]:
    mean = [s[key]["mean"] for s in r["summaries"]]
    lo = [s[key]["ci95"][0] for s in r["summaries"]]
    hi = [s[key]["ci95"][1] for s in r["summaries"]]
    plt.plot(lam, mean, label=label)
    plt.fill_between(lam, lo, hi, alpha=0.3)
plt.xlabel("λ (−1 constant-sum … 1 common payoff)")
plt.legend()
plt.savefig(out, dpi=120)
print(f"plot written to {out}")
