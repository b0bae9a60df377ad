#!/usr/bin/env python3
"""Regenerate what README.md shows from the powerseek CLI: the pictures under
docs/, the sample-output blocks and the numbers quoted in prose.

Run through scripts/figures.sh (which builds the release CLI first):

    bash scripts/figures.sh            # rewrite README.md and docs/*.svg|png
    bash scripts/figures.sh --check    # regenerate into a temporary copy and
                                       # exit 1 if anything but timings differs

What is regenerated is marked in README.md:

* a sample-output block has an HTML comment just before its fence,

      <!-- figures: powerseek power examples/rooms.grid | elide 4 1 -->

  the command is run from the repository root by bash, with `powerseek` the
  release binary; a trailing `| elide H T` keeps the first H and the last T
  lines of the output with a `...` line between them (T may be 0);

* a number quoted in prose is wrapped in `<!--v:NAME-->...<!--/v-->`, or
  `<!--t:NAME-->...<!--/t-->` for timings and other machine-dependent values
  (ignored by --check); NAME is one of the values computed below, from the
  CLI's `--format json` output;

* every picture in PICTURES is made by running the README's own command (which
  must appear in one of the README's ```sh blocks) in a scratch directory and
  copying what it writes to docs/.

Qualitative sentences next to the numbers ("rises monotonically", "matching
POWERplay's ...", ...) are checked with claim(); a claim that the regenerated
numbers contradict stops the script, naming the claim, before README.md is
written. Standard library only.
"""

import csv
import difflib
from fractions import Fraction
import io
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POWERSEEK_BIN", os.path.join(ROOT, "target", "release", "powerseek"))
README = os.path.join(ROOT, "README.md")
DOCS = os.path.join(ROOT, "docs")
GAMBIT = "crates/powerseek/tests/data/gambit"

# (the README's command, {file it writes: name under docs/})
PICTURES = [
    ("power examples/rooms.grid --plot rooms-power.svg", {"rooms-power.svg": "rooms-power.svg"}),
    ("experiment scarcity --plot scarcity.svg", {"scarcity.svg": "scarcity.svg"}),
    ("retarget orbit --u 0.3,0.9,0.1,0.5 --a 1 --b 2,3 --plot orbit.svg", {"orbit.svg": "retarget-orbit.svg"}),
    (
        "multi sweep examples/powerplay3x3.grid --turns simultaneous --other powerplay --gamma 0.2"
        " --plot sweep.svg --heatmaps heat.svg",
        {
            "sweep.svg": "sequential-sweep.svg",
            "heat-rho=-1.svg": "sequential-heatmaps-rho=-1.svg",
            "heat-rho=1.svg": "sequential-heatmaps-rho=1.svg",
        },
    ),
    (
        "conflict simulate examples/conflict-much-to-lose.toml --plot much-to-lose.svg",
        {"much-to-lose.svg": "conflict-much-to-lose.svg"},
    ),
    (
        "conflict simulate examples/conflict-little-to-lose.toml --plot little-to-lose.svg",
        {"little-to-lose.svg": "conflict-little-to-lose.svg"},
    ),
    ("conflict phase --ratio 0.33 --contest-exponent 0.5 --plot phase.png", {"phase.png": "conflict-phase.png"}),
    (
        "conflict infer --truth -0.4,0.2 --episodes 200 --plot posterior.png",
        {"posterior.png": "conflict-posterior.png"},
    ),
]


class Failure(Exception):
    """A value that could not be computed or a claim the numbers contradict."""


def claim(name, ok, detail):
    if not ok:
        raise Failure(f"claim '{name}' no longer holds: {detail}")


# ---------------------------------------------------------------- running


def run(args, cwd=ROOT):
    """Run the CLI with a list of arguments; return (stdout, wall seconds)."""
    start = time.perf_counter()
    p = subprocess.run([BIN] + args, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if p.returncode != 0:
        raise Failure(f"powerseek {shlex.join(args)} failed (exit {p.returncode}):\n{p.stderr.strip()}")
    return p.stdout, seconds


def timed(cmd, repeat=3):
    """The fastest of `repeat` wall-clock runs of a command (a string), in seconds."""
    return min(run(shlex.split(cmd))[1] for _ in range(repeat))


def js(cmd, shown=False):
    """The parsed `--format json` output of a command (a string without the
    `powerseek` prefix). shown=True: the README must show this command."""
    if shown:
        require_shown(cmd)
    out, _ = run(shlex.split(cmd) + ["--format", "json"])
    try:
        return json.loads(out)
    except json.JSONDecodeError as e:
        raise Failure(f"powerseek {cmd} --format json did not print JSON: {e}")


def field(obj, *path):
    """obj[path[0]][path[1]]..., with a message naming the path when absent."""
    cur = obj
    for key in path:
        try:
            cur = cur[key]
        except (KeyError, IndexError, TypeError):
            raise Failure(f"JSON field {'.'.join(map(str, path))} is missing (at {key!r})")
    return cur


# ---------------------------------------------------------------- README commands

_shown = None


def shown_commands():
    """Every command line of the README's ```sh blocks, normalised: backslash
    continuations joined, comments and the `powerseek `/`cargo run --release -- `
    prefix removed, whitespace collapsed."""
    global _shown
    if _shown is None:
        text = open(README, encoding="utf-8").read()
        cmds = set()
        for block in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S):
            for line in re.sub(r"\\\n", " ", block).splitlines():
                line = re.sub(r"\s#.*$", "", line).strip()
                for prefix in ("powerseek ", "cargo run --release -- "):
                    if line.startswith(prefix):
                        cmds.add(" ".join(line[len(prefix):].split()))
        _shown = cmds
    return _shown


def require_shown(cmd):
    if " ".join(cmd.split()) not in shown_commands():
        raise Failure(f"README.md no longer shows the command `powerseek {cmd}` (in a ```sh block)")


# ---------------------------------------------------------------- formatting

MINUS = "\u2212"


def num(x, d):
    s = f"{x:.{d}f}"
    if s.startswith("-"):
        s = s[1:] if float(s) == 0 else MINUS + s[1:]
    return s


def pm(stat, d):
    return f"{num(field(stat, 'mean'), d)} ± {num(field(stat, 'se'), d)}"


def count(n):
    if abs(n - round(n)) > 1e-9:
        return num(n, 1)
    return f"{int(round(n)):,}".replace(",", " ")


def secs(x):
    if x >= 10:
        s = f"{x:.0f}"
    elif x >= 1:
        s = f"{x:.1f}"
    else:
        s = f"{x:.{max(2, 1 - math.floor(math.log10(max(x, 1e-6))))}f}"
    return s + " s"


def pct(x):
    return f"{100 * x:.1f}%"


def at(points, key, value):
    """The element of a list of dicts whose `key` equals `value`."""
    for p in points:
        if abs(field(p, key) - value) < 1e-9:
            return p
    raise Failure(f"no point with {key} = {value}")


def se_diff(a, b):
    return math.hypot(field(a, "se"), field(b, "se"))


# ---------------------------------------------------------------- values

GROUPS = []


def group(fn):
    GROUPS.append(fn)
    return fn


@group
def rooms():
    d = js("power examples/rooms.grid")
    states = field(d, "states")
    terminal = [s for s in states if [a["action"] for a in field(s, "actions")] == ["stay"]]
    claim("rooms: T has POWER = E[R] = 0.5", len(terminal) == 1, f"{len(terminal)} stay-only states")
    t = terminal[0]["power"]
    claim(
        "rooms: T has POWER = E[R] = 0.5",
        abs(t["mean"] - 0.5) <= 3 * t["se"],
        f"estimate {t['mean']:.4f} ± {t['se']:.4f}",
    )
    # the big room is columns 5..13 of rows 1..5; its open middle rows 2..4, columns 6..12
    top = sorted(states, key=lambda s: -s["power"]["mean"])[:3]
    for s in top:
        r, c = map(int, s["name"].strip("()").split(","))
        claim(
            "rooms: cells in the open middle of the big room have the most POWER",
            2 <= r <= 4 and 6 <= c <= 12,
            f"{s['name']} is among the three with the most POWER",
        )
    maze = js("power examples/maze100.grid --gamma 0 -n 2")
    return {"maze_cells": count(len(field(maze, "states")))}


@group
def gambit():
    ref = json.load(open(os.path.join(ROOT, GAMBIT, "equilibria_by_gambit.json"), encoding="utf-8"))
    two = 0
    ours = {}
    for name, game in sorted(ref.items()):
        path = f"{GAMBIT}/{name}"
        pure = field(js(f"game solve {path} --method pure"), "equilibria")
        claim(
            "Gambit: `pure` matches enumpure on every game",
            len(pure) == field(game, "results", "enumpure", "n_eq"),
            f"{name}: {len(pure)} pure equilibria, Gambit {game['results']['enumpure']['n_eq']}",
        )
        logit = field(js(f"game solve {path} --method logit"), "equilibria")
        regret = max((Fraction(field(e, "max_regret")) for e in logit), default=None)
        claim(
            "Gambit: logit certifies an equilibrium of every game with max regret below 1e-9",
            regret is not None and regret < Fraction(1, 10**9),
            f"{name}: max regret {float(regret) if regret is not None else 'none'}",
        )
        if field(game, "n_players") == 2:
            two += 1
            n = len(field(js(f"game solve {path} --all"), "equilibria"))
            claim(
                "Gambit: game solve --all returns enummixed's extreme equilibria",
                n == field(game, "results", "enummixed", "n_eq"),
                f"{name}: {n} equilibria, Gambit {game['results']['enummixed']['n_eq']}",
            )
            ours[name] = n
    return {
        "gambit_2p": count(two),
        "gambit_all": count(len(ref)),
        "gambit_winkels": count(ours["winkels.nfg"]),
        "gambit_75": count(ours["catalog_dcg_vonstengel1999_6x6_game_with_75_eq.nfg"]),
    }


@group
def alignment_post():
    for game in ("matching-pennies.nfg", "prisoners-dilemma.nfg"):
        alpha = field(js(f"game align examples/games/{game}"), "alpha")
        claim("alignment post: α(Matching Pennies) = α(Prisoner's Dilemma) = −2", alpha == "-2", f"α({game}) = {alpha}")
    # the Python section's examples, through the CLI
    with tempfile.TemporaryDirectory() as tmp:
        pd = os.path.join(tmp, "pd.json")
        with open(pd, "w") as f:
            json.dump({"players": ["1", "2"], "actions": [["0", "1"], ["0", "1"]],
                       "payoffs": [[[3, 3], [0, 5]], [[5, 0], [1, 1]]]}, f)
        alpha = field(js(f"game align {pd}"), "alpha")
        claim("Python example: alignment(pd)['alpha'] is Fraction(-4)", alpha == "-4", f"α = {alpha}")
    players = field(js(f"game power {GAMBIT}/bayes1a.efg"), "profiles", 0, "players")
    got = [p["power"] for p in players]
    claim("Python example: bayes1a POWER at its BNE is [5, 23/6]", got == ["5", "23/6"], f"{got}")
    return {}


@group
def scarcity():
    d = js("experiment scarcity", shown=False)
    require_shown("experiment scarcity --plot scarcity.svg")
    s = sorted(field(d, "summaries"), key=lambda p: p["lambda"])
    lo, zero, hi = at(s, "lambda", -1), at(s, "lambda", 0), at(s, "lambda", 1)
    eq = [p["total_power"] for p in s]
    claim(
        "scarcity: Σ POWER at equilibrium is exactly 0 at λ = −1",
        lo["total_power"]["mean"] == 0 and lo["total_power"]["se"] == 0,
        f"{pm(lo['total_power'], 4)}",
    )
    for a, b, la, lb in zip(eq, eq[1:], s, s[1:]):
        claim(
            "scarcity: Σ POWER at equilibrium rises steadily with alignment",
            b["mean"] - a["mean"] > -2 * se_diff(a, b),
            f"λ = {la['lambda']}: {a['mean']:.3f}, λ = {lb['lambda']}: {b['mean']:.3f}",
        )
    best = [p["best_case_power"] for p in s]
    best_mean = sum(b["mean"] for b in best) / len(best)
    for b, p in zip(best, s):
        claim(
            "scarcity: best-case Σ POWER does not depend on λ",
            abs(b["mean"] - best_mean) <= 3 * b["se"],
            f"λ = {p['lambda']}: {pm(b, 3)} against the mean {best_mean:.3f}",
        )
    claim("scarcity: α rises to 0 at λ = 1", hi["alpha"]["mean"] == 0, f"α(1) = {hi['alpha']['mean']}")
    claim(
        "scarcity: α rises with λ",
        all(b["alpha"]["mean"] > a["alpha"]["mean"] for a, b in zip(s, s[1:])),
        f"{[round(p['alpha']['mean'], 3) for p in s]}",
    )
    gap = lambda p: p["best_case_power"]["mean"] - p["total_power"]["mean"]
    claim("scarcity: the gap shrinks", gap(hi) < gap(lo), f"{gap(lo):.3f} → {gap(hi):.3f}")
    claim(
        "scarcity: the gap does not close for common-payoff games",
        gap(hi) > 2 * hi["total_power"]["se"],
        f"gap {gap(hi):.3f}, SE of Σ POWER {hi['total_power']['se']:.3f}",
    )
    coord = hi["coordination_gap"]["mean"]
    claim("scarcity: at λ = 1 the coordination gap equals the scarcity gap", abs(coord - gap(hi)) < 1e-9,
          f"{coord} vs {gap(hi)}")
    games = {p["games"] for p in s}
    claim("scarcity: one number of games per λ", len(games) == 1, f"{games}")
    return {
        "scarcity_games": count(games.pop()),
        "scarcity_lambdas": count(len(s)),
        "scarcity_seconds": secs(field(d, "seconds")),
        "scarcity_best": num(best_mean, 1),
        "scarcity_eq0": pm(zero["total_power"], 2),
        "scarcity_eq1": pm(hi["total_power"], 2),
        "scarcity_alpha_m1": num(lo["alpha"]["mean"], 2),
        "scarcity_gap_m1": num(gap(lo), 2),
        "scarcity_gap1": num(gap(hi), 2),
        "scarcity_coord1": num(coord, 2),
    }


@group
def orbits():
    u = ",".join(str(i) for i in range(1, 11))
    base = f"retarget orbit --u {u} --a 1 --b 2,3,4"
    d = js(f"{base} --decision argmax")
    return {
        "orbit10_size": count(field(d, "orbit_size")),
        "orbit10_argmax": secs(timed(f"{base} --decision argmax", 2)),
        "orbit10_boltzmann": secs(timed(f"{base} --decision boltzmann:2", 2)),
        "cores": str(os.cpu_count()),
    }


@group
def learned():
    d = js("retarget learned examples/options.grid --a left --b right", shown=True)
    r = field(d, "result")
    a, b, other, n = r["chose_a"], r["chose_b"], r["chose_other"], r["agents"]
    claim("learned: 'right' (B) is the move towards the room", field(d, "b") == "right", f"b = {d['b']}")
    claim(
        "learned: the fraction is of the agents that moved left or right",
        abs(r["fraction_b"] - b / (a + b)) < 1e-9 and abs(a + b + other - n) < 1e-9,
        f"fraction {r['fraction_b']}, counts {a}, {b}, {other} of {n}",
    )
    start = field(d, "state")
    mdp = js("power examples/options.grid -n 2")
    acts = [[x["action"] for x in s["actions"]] for s in mdp["states"] if s["name"] == start]
    claim("learned: the other first move is 'stay'", acts and sorted(acts[0]) == ["left", "right", "stay"], f"{acts}")
    lo, hi = field(r, "ci95")
    return {
        "learned_pct": pct(r["fraction_b"]),
        "learned_ab": count(a + b),
        "learned_b": count(b),
        "learned_agents": count(n),
        "learned_other": count(other),
        "learned_ci": f"{100 * lo:.1f}–{100 * hi:.1f}%",
    }


GRID = "examples/powerplay3x3.grid"


@group
def sequential():
    first = f"multi power {GRID} --turns simultaneous --other powerplay --gamma 0.2 -n 1000"
    p = js(first, shown=True)
    h, a = field(p, "mean_power")
    claim(
        "sequential: matching POWERplay's 0.6523 and 0.7866",
        abs(h["mean"] - 0.6523) <= 3 * h["se"] and abs(a["mean"] - 0.7866) <= 3 * a["se"],
        f"H {pm(h, 4)}, A {pm(a, 4)}",
    )
    sweep = js(f"multi sweep {GRID} --turns simultaneous --other powerplay --gamma 0.2", shown=False)
    pts = sorted(field(sweep, "points"), key=lambda q: q["rho"])
    tot = [q["mean_total"] for q in pts]
    claim("sequential: Σ POWER is exactly 1 at ρ = −1", abs(at(pts, "rho", -1)["mean_total"]["mean"] - 1) < 1e-6,
          f"{at(pts, 'rho', -1)['mean_total']['mean']}")
    claim(
        "sequential: Σ POWER rises monotonically in ρ",
        all(y["mean"] > x["mean"] for x, y in zip(tot, tot[1:])),
        f"{[round(t['mean'], 4) for t in tot]}",
    )
    samples = {q["samples"] for q in pts}
    claim("sequential: one sample count per ρ", len(samples) == 1, f"{samples}")
    return {
        "pp_states": count(field(p, "joint_states")),
        "pp_samples": count(field(p, "samples")),
        "pp_seconds": secs(timed(first)),
        "seq_samples": count(samples.pop()),
        "seq_total0": pm(at(pts, "rho", 0)["mean_total"], 3),
        "seq_total1": pm(at(pts, "rho", 1)["mean_total"], 3),
        "seq_h0": pm(h, 4),
        "seq_a0": pm(a, 4),
    }


@group
def competition():
    def power(turns, other, overlap):
        flag = "" if overlap else " --no-overlap"
        return js(f"multi power {GRID} --turns {turns} --other {other}{flag} --gamma 0.6 --rho 0 -n 2000")

    sim = power("simultaneous", "powerplay", True)
    sim_no = power("simultaneous", "powerplay", False)
    rnd = power("simultaneous", "random", True)
    rnd_no = power("simultaneous", "random", False)
    alt = power("alternating", "powerplay", True)
    alt_no = power("alternating", "powerplay", False)
    corr = lambda d: field(d, "power_correlation")
    hp = lambda d: field(d, "mean_power", 0)
    claim("competition: mean POWERs are negatively correlated", corr(sim) < 0, f"{corr(sim):.3f}")
    claim("competition: no-overlap strengthens the negative correlation", corr(sim_no) < corr(sim),
          f"{corr(sim_no):.3f} vs {corr(sim):.3f}")
    claim(
        "competition: with no-overlap, A's best response costs H POWER",
        hp(rnd_no)["mean"] - hp(sim_no)["mean"] > 1.96 * se_diff(hp(rnd_no), hp(sim_no)),
        f"{pm(hp(rnd_no), 4)} against random A, {pm(hp(sim_no), 4)} against its best response",
    )
    claim(
        "competition: with overlap allowed, A's best response does not cost H POWER",
        hp(sim)["mean"] - hp(rnd)["mean"] > -1.96 * se_diff(hp(rnd), hp(sim)),
        f"{pm(hp(rnd), 4)} against random A, {pm(hp(sim), 4)} against its best response",
    )
    claim(
        "competition: with alternating turns no-overlap weakens the correlation (it depends on the turn order)",
        corr(alt_no) > corr(alt),
        f"{corr(alt_no):.3f} with no-overlap vs {corr(alt):.3f}",
    )
    return {
        "comp_corr": num(corr(sim), 2),
        "comp_corr_noov": num(corr(sim_no), 2),
        "comp_h_rand_noov": pm(hp(rnd_no), 4),
        "comp_h_br_noov": pm(hp(sim_no), 4),
        "comp_h_rand": pm(hp(rnd), 4),
        "comp_h_br": pm(hp(sim), 4),
        "comp_corr_alt": num(corr(alt), 2),
        "comp_corr_alt_noov": num(corr(alt_no), 2),
    }


@group
def conflict():
    for scenario, escalates, aligned in (("much-to-lose", 0.0, True), ("little-to-lose", 1.0, False)):
        d = js(f"conflict simulate examples/conflict-{scenario}.toml")
        red = [x for x in field(d, "initial") if x.get("agent") == "red"]
        claim(f"conflict {scenario}: red {'escalates' if escalates else 'stays'}",
              red and red[0]["escalation_probability"] == escalates, f"{red}")
        cos = red[0]["alignment"]
        claim(f"conflict {scenario}: blue is {'roughly aligned' if aligned else 'very misaligned'}",
              cos > 0.5 if aligned else cos < -0.5, f"cos = {cos}")
    out, _ = run(shlex.split("conflict phase --ratio 0.33 --contest-exponent 0.5 --format csv"))
    by = {}
    for row in csv.DictReader(io.StringIO(out)):
        by.setdefault(float(row["alignment"]), []).append((float(row["cost"]), float(row["escalation_probability"])))
    prev = math.inf
    for a in sorted(by):
        cells = sorted(by[a])
        stays = [c for c, p in cells if p < 0.5]
        threshold = min(stays) if stays else math.inf
        claim("conflict phase: the weaker agent escalates below a cost threshold",
              all(c < threshold for c, p in cells if p >= 0.5), f"alignment {a}")
        claim("conflict phase: the threshold falls as alignment rises", threshold <= prev, f"alignment {a}")
        prev = threshold
    claim("conflict phase: perfectly aligned agents never escalate when conflict costs anything",
          all(p < 0.5 for c, p in by[max(by)] if c > 0), "alignment 1")
    cal = js("conflict calibrate --contest-exponent 0.5", shown=True)
    r = field(cal, "model", "contest_exponent")
    claim("calibration: at r = 0.5", r == 0.5, f"r = {r}")
    ca, cc = field(cal, "alignment_coverage"), field(cal, "cost_coverage")
    claim("calibration: intervals slightly conservative (coverage at least 0.90)", ca >= 0.9 and cc >= 0.9,
          f"alignment {ca:.3f}, cost {cc:.3f}")
    require_shown("conflict infer --truth -0.4,0.2 --episodes 200 --plot posterior.png")
    return {
        "cal_episodes": count(field(cal, "episodes")),
        "cal_agents": count(field(cal, "replicates")),
        "cal_align": num(ca, 2),
        "cal_cost": num(cc, 2),
        "cal_sd": num(field(cal, "binomial_sd"), 3),
    }


# ---------------------------------------------------------------- README rewriting

BLOCK = re.compile(r"^<!-- figures: (.+?) -->\s*$")
INLINE = re.compile(r"<!--([vt]):([\w.-]+)-->(.*?)<!--/\1-->", re.S)
ELIDE = re.compile(r"^(.*?)\s*\|\s*elide\s+(\d+)\s+(\d+)\s*$")


_samples = {}
CHANGED_BLOCKS = []
OLD_BLOCKS = {}


def sample(cmd):
    """The output of a marker's command, elided as the marker says (run once per command)."""
    if cmd not in _samples:
        _samples[cmd] = _sample(cmd)
    return _samples[cmd]


def _sample(cmd):
    m = ELIDE.match(cmd)
    shell, head, tail = (m.group(1), int(m.group(2)), int(m.group(3))) if m else (cmd, None, None)
    prelude = 'powerseek() { "$POWERSEEK_BIN" "$@"; }\n'
    p = subprocess.run(["bash", "-c", prelude + shell], cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, POWERSEEK_BIN=BIN))
    if p.returncode != 0:
        raise Failure(f"sample `{cmd}` failed (exit {p.returncode}):\n{p.stderr.strip()}")
    lines = [line.rstrip() for line in p.stdout.rstrip("\n").split("\n")]
    if head is not None and len(lines) > head + tail:
        lines = lines[:head] + ["..."] + (lines[len(lines) - tail:] if tail else [])
    return lines


def rewrite_blocks(text, errors):
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        m = BLOCK.match(lines[i])
        if not m:
            i += 1
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            errors.append(f"marker `{m.group(1)}` is not followed by a code fence")
            i += 1
            continue
        end = next((j for j in range(i + 2, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            errors.append(f"the block after `{m.group(1)}` is not closed")
            i += 1
            continue
        try:
            body = sample(m.group(1))
        except Failure as e:
            errors.append(str(e))
            body = lines[i + 2:end]
        if body != lines[i + 2:end] and m.group(1) not in CHANGED_BLOCKS:
            CHANGED_BLOCKS.append(m.group(1))
            OLD_BLOCKS[m.group(1)] = lines[i + 2:end]
        out.append(lines[i + 1])
        out.extend(body)
        out.append(lines[end])
        i = end + 1
    return "\n".join(out)


def rewrite_inline(text, values, errors):
    used, missing = set(), []

    def sub(m):
        kind, name, old = m.groups()
        if name not in values:
            if name not in missing:
                missing.append(name)
            return m.group(0)
        used.add(name)
        return f"<!--{kind}:{name}-->{values[name]}<!--/{kind}-->"

    text = INLINE.sub(sub, text)
    # CommonMark: a line that starts with `<!--` (up to 3 spaces in, or at a list
    # item's indentation) opens an HTML block, which cuts the paragraph in two
    for n, line in enumerate(text.split("\n"), 1):
        if re.match(r"\s*<!--[vt]:", line):
            errors.append(f"README.md line {n} starts with a value marker (it would break the paragraph): "
                          "move a word in front of it")
    if missing:
        errors.append(f"README markers without a value (unknown names, or their group failed): {', '.join(missing)}")
    for name in sorted(set(values) - used):
        print(f"figures: note: value {name} is computed but not shown in README.md", file=sys.stderr)
    return text


TIMING = [
    (re.compile(r"<!--t:([\w.-]+)-->.*?<!--/t-->", re.S), r"<!--t:\1-->…<!--/t-->"),
    (re.compile(r"\b\d+(?:\.\d+)?(?:e[+-]?\d+)? s\b"), "… s"),
    (re.compile(r"\([0-9.e+]+/s\)"), "(…/s)"),
]


def mask_timings(text):
    for pattern, repl in TIMING:
        text = pattern.sub(repl, text)
    return text


def changed_values(old, new):
    olds = {(k, n): v for k, n, v in INLINE.findall(old)}
    for k, n, v in INLINE.findall(new):
        if olds.get((k, n), v) != v:
            print(f"  {n}: {olds[(k, n)]} → {v}" + ("  (timing)" if k == "t" else ""))


# ---------------------------------------------------------------- pictures


def make_pictures(dest, errors):
    """Run each picture's README command in a scratch directory; copy its files to dest."""
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(os.path.join(ROOT, "examples"), os.path.join(tmp, "examples"))
        for cmd, files in PICTURES:
            try:
                require_shown(cmd)
                run(shlex.split(cmd), cwd=tmp)
                for produced, name in files.items():
                    src = os.path.join(tmp, produced)
                    if not os.path.exists(src):
                        raise Failure(f"`powerseek {cmd}` did not write {produced}")
                    shutil.copyfile(src, os.path.join(dest, name))
                    made.append(name)
            except Failure as e:
                errors.append(str(e))
    return made


# ---------------------------------------------------------------- main


def main(argv):
    check = "--check" in argv
    keep_going = "--keep-going" in argv
    unknown = [a for a in argv if a not in ("--check", "--keep-going")]
    if unknown:
        print(__doc__)
        return 2
    if not os.access(BIN, os.X_OK):
        print(f"figures: {BIN} is missing; build it with cargo build --release -p powerseek-cli", file=sys.stderr)
        return 2
    start = time.perf_counter()
    errors = []
    scratch = tempfile.mkdtemp(prefix="powerseek-figures-")
    pictures_dir = os.path.join(scratch, "docs") if check else DOCS
    os.makedirs(pictures_dir, exist_ok=True)
    made = make_pictures(pictures_dir, errors)

    values = {}
    for fn in GROUPS:
        t0 = time.perf_counter()
        try:
            got = fn()
            dup = set(got) & set(values)
            if dup:
                raise Failure(f"values computed twice: {sorted(dup)}")
            values.update(got)
        except Failure as e:
            errors.append(f"[{fn.__name__}] {e}")
        print(f"figures: {fn.__name__}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    # the samples are run on a first read; README.md is read again just before it is
    # rewritten (others may edit it meanwhile), taking the samples from the cache
    rewrite_blocks(open(README, encoding="utf-8").read(), [])
    CHANGED_BLOCKS.clear()
    old = open(README, encoding="utf-8").read()
    new = rewrite_inline(rewrite_blocks(old, errors), values, errors)

    if errors:
        print("figures: FAILED:\n- " + "\n- ".join(errors), file=sys.stderr)
        if check:
            return 1
        if not keep_going:
            print("figures: README.md not written (--keep-going writes the rest)", file=sys.stderr)
            return 1

    if check:
        copy = os.path.join(scratch, "README.md")
        with open(copy, "w", encoding="utf-8") as f:
            f.write(new)
        stale = []
        a, b = mask_timings(old).splitlines(), mask_timings(new).splitlines()
        if a != b:
            stale.append("README.md")
            sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(
                a, b, "README.md", "regenerated", lineterm="", n=0))
        for name in made:
            committed = os.path.join(DOCS, name)
            with open(os.path.join(pictures_dir, name), "rb") as f:
                fresh = f.read()
            if not os.path.exists(committed) or open(committed, "rb").read() != fresh:
                stale.append(f"docs/{name}")
        took = time.perf_counter() - start
        if stale:
            print(f"figures --check: out of date: {', '.join(stale)} (regenerated copy in {scratch}; {took:.0f} s)")
            return 1
        shutil.rmtree(scratch)
        print(f"figures --check: README.md (timings aside) and {len(made)} pictures are up to date ({took:.0f} s)")
        return 0

    if new != old:
        print("figures: changed in README.md:")
        for cmd in CHANGED_BLOCKS:
            timing_only = mask_timings("\n".join(_samples.get(cmd, []))) == mask_timings(
                "\n".join(OLD_BLOCKS.get(cmd, [])))
            print(f"  the output of `{cmd}`" + ("  (timing)" if timing_only else ""))
        changed_values(old, new)
        with open(README, "w", encoding="utf-8") as f:
            f.write(new)
    shutil.rmtree(scratch)
    print(f"figures: {len(made)} pictures in docs/, README.md regenerated ({time.perf_counter() - start:.0f} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
