#!/usr/bin/env python3
"""Regenerate docs/gallery.md: figures that reproduce published ones, each next
to its source's numbers, from the shipped examples and the powerseek CLI.

Run through scripts/gallery.sh (which builds the release CLI unless
POWERSEEK_BIN names one):

    bash scripts/gallery.sh            # rewrite docs/gallery/*.svg and the numbers in docs/gallery.md
    bash scripts/gallery.sh --check    # regenerate into a scratch directory; exit 1 if
                                       # docs/gallery/ or docs/gallery.md is out of date,
                                       # or a number no longer agrees with its source

Every picture is made by a command listed in COMMANDS (docs/gallery.md shows
the same commands); every number beside a picture is a value computed below
from the CLI's `--format json` output, written between
`<!--v:NAME-->...<!--/v-->` markers. Each entry's agreement with its source
("within 2 standard errors of POWERplay's 0.6523", "exactly 3/4 in the
limit") is checked with claim(); a claim the numbers contradict stops the
script. Standard library only; a few seconds with a release build, about
20 s with the debug build the test suite uses.
"""

import difflib
import json
import math
import os
import re
import shlex
import shutil
import sys
import tempfile
import time
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402  (run, field, num, pm, claim, Failure)
from figures import Failure, claim, field, num, pm  # noqa: E402

ROOT = figures.ROOT
GALLERY = os.path.join(ROOT, "docs", "gallery.md")
PICTURES = os.path.join(ROOT, "docs", "gallery")

# (command without `powerseek`, {file it writes: name under docs/gallery/})
COMMANDS = [
    (
        "power examples/fork.json --gamma 0:1:11 --states start,one,many -n 4000 --plot fork-gamma.svg",
        {"fork-gamma.svg": "fork-gamma.svg"},
    ),
    (
        "power examples/powerplay3x3.grid --gamma 0 -n 20000 --plot pp-0.svg",
        {"pp-0.svg": "powerplay3x3-gamma0.svg"},
    ),
    (
        "power examples/powerplay3x3.grid --gamma 0.6 -n 50000 --tolerance 1e-4 --plot pp-0.6.svg",
        {"pp-0.6.svg": "powerplay3x3-gamma0.6.svg"},
    ),
    (
        "power examples/powerplay3x3.grid --gamma 0.99 -n 20000 --plot pp-0.99.svg",
        {"pp-0.99.svg": "powerplay3x3-gamma0.99.svg"},
    ),
    (
        "multi power examples/powerplay3x3.grid --turns simultaneous --other powerplay --rho 0 --gamma 0.2"
        " -n 1000 --plot two-agents.svg",
        {"two-agents.svg": "powerplay-two-agents-rho0.svg"},
    ),
    (
        "multi sweep examples/powerplay3x3.grid --turns simultaneous --other powerplay --gamma 0.2"
        " --rhos steps:5 -n 200 --plot sweep.svg",
        {"sweep.svg": "powerplay-reward-correlation.svg"},
    ),
    (
        "game align examples/games/matching-pennies.nfg --plot mp.svg",
        {"mp.svg": "matching-pennies-payoffs.svg"},
    ),
    (
        "game align examples/games/prisoners-dilemma.nfg --plot pd.svg",
        {"pd.svg": "prisoners-dilemma-payoffs.svg"},
    ),
    (
        "conflict simulate examples/conflict-much-to-lose.toml --plot much.svg",
        {"much.svg": "conflict-much-to-lose.svg"},
    ),
    (
        "conflict simulate examples/conflict-little-to-lose.toml --plot little.svg",
        {"little.svg": "conflict-little-to-lose.svg"},
    ),
]


_json = {}


def js(cmd):
    """The parsed `--format json` output of the command of COMMANDS starting with `cmd`
    (recorded when make_pictures ran it)."""
    full = next((c for c, _ in COMMANDS if c.startswith(cmd)), None)
    if full is None or full not in _json:
        raise Failure(f"`{cmd}` is not one of the gallery's commands, or it did not run")
    return _json[full]


def within(est, target, k=3.0):
    """|mean − target| ≤ k standard errors (and the gap in SEs)."""
    gap = abs(field(est, "mean") - target) / max(field(est, "se"), 1e-12)
    return gap <= k, gap


# ---------------------------------------------------------------- entries

VALUES = {}


def fork():
    d = js("power examples/fork.json")
    pts = field(d, "points")
    lo, hi = pts[0], pts[-1]
    claim("fork: the sweep runs from the γ → 0 to the γ → 1 limit",
          lo["horizon"] == "0 (limit)" and hi["horizon"] == "1 (limit)", f"{lo['horizon']} … {hi['horizon']}")

    def state(p, name):
        return next(s for s in p["states"] if s["state"] == name)

    def right(p):
        return next(a for a in state(p, "start")["actions"] if a["action"] == "right")

    checks = [
        ("POWER(start) at γ → 0 is E[max of 2 uniforms] = 2/3", state(lo, "start")["power"], 2 / 3),
        ("POWER(start) at γ → 1 is E[max of 4 uniforms] = 4/5", state(hi, "start")["power"], 4 / 5),
        ("POWER(one) is E[R] = 1/2 at every γ", state(hi, "one")["power"], 1 / 2),
        ("POWER(many) is E[max of 3 uniforms] = 3/4 at every γ", state(hi, "many")["power"], 3 / 4),
    ]
    for text, est, target in checks:
        ok, gap = within(est, target)
        claim(f"fork: {text}", ok, f"{pm(est, 4)} is {gap:.1f} SE away")
    for p, target in ((lo, 0.5), (hi, 0.75)):
        # Within 3 binomial SEs, like the POWER checks above (a 95% interval
        # would reject a correct estimate one time in twenty).
        r = right(p)
        se = math.sqrt(target * (1 - target) / p["samples"])
        gap = abs(r["optimal_share"] - target) / se
        claim(f"fork: P(right optimal) at γ = {p['horizon']} is {target}",
              gap <= 3.0, f"{r['optimal_share']:.4f} is {gap:.1f} SE away (95% CI {r['ci95']})")
    shares = [right(p)["optimal_share"] for p in pts]
    claim("fork: P(right optimal) rises with γ", all(b >= a - 0.01 for a, b in zip(shares, shares[1:])), f"{shares}")
    return {
        "fork_start_0": pm(state(lo, "start")["power"], 4),
        "fork_start_1": pm(state(hi, "start")["power"], 4),
        "fork_one": pm(state(hi, "one")["power"], 4),
        "fork_many": pm(state(hi, "many")["power"], 4),
        "fork_right_0": num(right(lo)["optimal_share"], 3),
        "fork_right_1": num(right(hi)["optimal_share"], 3),
        "fork_samples": str(lo["samples"]),
    }


# POWERplay's single-agent protocol at γ = 0.6 (50 000 samples), as quoted in
# BENCHMARKS.md §5: an independent numpy implementation of the same protocol.
REFERENCE_06 = {"(0,0)": (0.80594, 0.00060), "(0,1)": (0.83555, 0.00054),
                "(1,1)": (0.86168, 0.00048), "(2,2)": (0.80475, 0.00059)}


def powerplay_single():
    out = {}
    # γ → 0: POWER(s) = E[max of the uniform rewards of s's k successors] = k/(k+1)
    d0 = js("power examples/powerplay3x3.grid --gamma 0 ")
    for s in field(d0, "states"):
        k = len(s["actions"])
        ok, gap = within(s["power"], k / (k + 1))
        claim(f"POWERplay 3×3, γ → 0: POWER{s['name']} = {k}/{k + 1}", ok, f"{pm(s['power'], 4)}, {gap:.1f} SE away")
    by = {s["name"]: s["power"] for s in field(d0, "states")}
    out.update({"pp0_corner": pm(by["(0,0)"], 4), "pp0_edge": pm(by["(0,1)"], 4), "pp0_centre": pm(by["(1,1)"], 4)})
    d6 = js("power examples/powerplay3x3.grid --gamma 0.6")
    by = {s["name"]: s["power"] for s in field(d6, "states")}
    for name, (ref, se) in REFERENCE_06.items():
        gap = abs(by[name]["mean"] - ref) / math.hypot(by[name]["se"], se)
        claim(f"POWERplay 3×3, γ = 0.6: POWER{name} agrees with the reference within 3 combined SE",
              gap <= 3, f"{pm(by[name], 5)} against {ref} ± {se}: {gap:.1f}")
        out[f"pp6_{name.strip('()').replace(',', '')}"] = pm(by[name], 4)
    claim("POWERplay 3×3, γ = 0.6: centre > edge > corner",
          by["(1,1)"]["mean"] > by["(0,1)"]["mean"] > by["(0,0)"]["mean"], "")
    d99 = js("power examples/powerplay3x3.grid --gamma 0.99")
    vals = [s["power"] for s in field(d99, "states")]
    spread = max(v["mean"] for v in vals) - min(v["mean"] for v in vals)
    claim("POWERplay 3×3, γ = 0.99: every cell near E[max of 9 uniforms] = 0.9",
          all(abs(v["mean"] - 0.9) < 0.01 for v in vals), f"{[round(v['mean'], 4) for v in vals]}")
    out["pp99_spread"] = num(spread, 4)
    return out


def powerplay_two():
    d = js("multi power examples/powerplay3x3.grid")
    h, a = field(d, "mean_power")
    out = {"two_h": pm(h, 4), "two_a": pm(a, 4)}
    for est, ref, name in ((h, 0.6523, "H"), (a, 0.7866, "A")):
        ok, gap = within(est, ref)
        claim(f"POWERplay two agents, ρ = 0: mean POWER_{name} within 3 SE of POWERplay's {ref}", ok,
              f"{pm(est, 4)}: {gap:.1f} SE")
        out[f"two_{name.lower()}_gap"] = num(gap, 1)
    s = js("multi sweep examples/powerplay3x3.grid")
    pts = sorted(field(s, "points"), key=lambda p: p["rho"])
    totals = [p["mean_total"] for p in pts]
    for x, y, px, py in zip(totals, totals[1:], pts, pts[1:]):
        claim("POWERplay two agents: Σ POWER rises with the reward correlation ρ",
              y["mean"] - x["mean"] > -2 * math.hypot(x["se"], y["se"]), f"ρ = {px['rho']} → {py['rho']}")
    out["sweep_lo"] = pm(totals[0], 3)
    out["sweep_hi"] = pm(totals[-1], 3)
    return out


def games():
    out = {}
    for name, key in (("matching-pennies.nfg", "mp"), ("prisoners-dilemma.nfg", "pd")):
        al = js(f"game align examples/games/{name}")
        claim(f"{name}: α = −2 (the alignment post)", field(al, "alpha") == "-2", f"α = {al['alpha']}")
        out[f"{key}_alpha"] = num(float(Fraction(al["alpha"])), 0)
        out[f"{key}_threat"] = "(" + ", ".join(field(al, "threat_point")) + ")"
        b = field(al, "nash_bargaining", "payoffs")
        out[f"{key}_nbs"] = "(" + ", ".join(num(x, 2) for x in b) + ")"
        pw, _ = figures.run(["game", "power", f"examples/games/{name}", "--format", "json"])
        prof = field(json.loads(pw), "profiles")
        eq = next(p for p in prof if p["label"].startswith("equilibrium"))
        out[f"{key}_eq_power"] = ", ".join(p["power"] for p in eq["players"])
        out[f"{key}_eq_total"] = eq["total_power"]
    claim("Matching Pennies: Σ POWER at the equilibrium = 0, the constant sum (conservation of POWER)",
          out["mp_eq_total"] == "0", out["mp_eq_total"])
    claim("Prisoner's Dilemma: POWER at (D, D) is 1 per player", out["pd_eq_power"] == "1, 1", out["pd_eq_power"])
    return out


def conflict():
    out = {}
    for name, key, red_escalates in (("much-to-lose", "much", False), ("little-to-lose", "little", True)):
        d = js(f"conflict simulate examples/conflict-{name}.toml")
        red = next(a for a in field(d, "initial") if a["agent"] == "red")
        blue = next(a for a in field(d, "initial") if a["agent"] == "blue")
        claim(f"conflict {name}: red {'escalates' if red_escalates else 'stays'} (the post's panel)",
              (red["escalation_probability"] > 0.5) == red_escalates, f"P = {red['escalation_probability']}")
        claim(f"conflict {name}: blue, holding the balance of power, stays", blue["escalation_probability"] < 0.5, "")
        out[f"{key}_red_gain"] = num(red["gain"], 3)
        out[f"{key}_cos"] = num(red["alignment"], 2)
    return out


ENTRIES = [fork, powerplay_single, powerplay_two, games, conflict]

# ---------------------------------------------------------------- rewriting

INLINE = re.compile(r"<!--v:([\w.-]+)-->(.*?)<!--/v-->", re.S)


def make_pictures(dest):
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(os.path.join(ROOT, "examples"), os.path.join(tmp, "examples"))
        for cmd, files in COMMANDS:
            out, _ = figures.run(shlex.split(cmd) + ["--format", "json"], cwd=tmp)
            try:
                _json[cmd] = json.loads(out)
            except json.JSONDecodeError as e:
                raise Failure(f"powerseek {cmd} --format json did not print JSON: {e}")
            for produced, name in files.items():
                src = os.path.join(tmp, produced)
                if not os.path.exists(src):
                    raise Failure(f"`powerseek {cmd}` did not write {produced}")
                shutil.copyfile(src, os.path.join(dest, name))
                made.append(name)
    return made


def shown(text):
    """Every command of COMMANDS must appear in the gallery's text."""
    flat = " ".join(text.split())
    return [cmd for cmd, _ in COMMANDS if f"powerseek {cmd}" not in flat]


def main(argv):
    check = "--check" in argv
    if [a for a in argv if a != "--check"]:
        print(__doc__)
        return 2
    if not os.access(figures.BIN, os.X_OK):
        print(f"gallery: {figures.BIN} is missing; build it with cargo build --release -p powerseek-cli",
              file=sys.stderr)
        return 2
    start = time.perf_counter()
    errors = []
    scratch = tempfile.mkdtemp(prefix="powerseek-gallery-")
    dest = os.path.join(scratch, "gallery") if check else PICTURES
    os.makedirs(dest, exist_ok=True)
    made = []
    try:
        made = make_pictures(dest)
    except Failure as e:
        errors.append(str(e))
    values = {}
    for fn in ENTRIES:
        try:
            values.update(fn())
        except (Failure, KeyError, StopIteration, IndexError) as e:
            errors.append(f"[{fn.__name__}] {type(e).__name__}: {e}")
    old = open(GALLERY, encoding="utf-8").read()
    missing = [m for m in INLINE.findall(old) if m[0] not in values]
    errors += [f"docs/gallery.md marker {name} has no value" for name, _ in missing]
    errors += [f"docs/gallery.md does not show `powerseek {c}`" for c in shown(old)]
    new = INLINE.sub(lambda m: f"<!--v:{m.group(1)}-->{values.get(m.group(1), m.group(2))}<!--/v-->", old)
    unused = sorted(set(values) - {n for n, _ in INLINE.findall(old)})
    if unused:
        print(f"gallery: note: computed but not shown: {', '.join(unused)}", file=sys.stderr)
    if errors:
        print("gallery: FAILED:\n- " + "\n- ".join(errors), file=sys.stderr)
        return 1
    took = time.perf_counter() - start
    if check:
        stale = []
        if new != old:
            stale.append("docs/gallery.md")
            sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(
                old.splitlines(), new.splitlines(), "docs/gallery.md", "regenerated", lineterm="", n=0))
        for name in made:
            committed = os.path.join(PICTURES, name)
            fresh = open(os.path.join(dest, name), "rb").read()
            if not os.path.exists(committed) or open(committed, "rb").read() != fresh:
                stale.append(f"docs/gallery/{name}")
        if stale:
            print(f"gallery --check: out of date: {', '.join(stale)} (regenerated copy in {scratch}; {took:.0f} s)")
            return 1
        shutil.rmtree(scratch)
        print(f"gallery --check: docs/gallery.md and {len(made)} pictures are up to date, "
              f"every entry agrees with its source ({took:.0f} s)")
        return 0
    if new != old:
        with open(GALLERY, "w", encoding="utf-8") as f:
            f.write(new)
    shutil.rmtree(scratch)
    print(f"gallery: {len(made)} pictures in docs/gallery/, docs/gallery.md regenerated ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
