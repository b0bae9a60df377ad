"""powerseek's reverse search against lrsnash on the same seeded random bimatrix games.

    apt-get install lrslib                                   # gives lrsnash
    python3 bench/compare_lrsnash.py generate DIR            # the game set, lrsnash input format
    python3 bench/compare_lrsnash.py generate-large DIR      # larger degenerate games (not shipped)
    python3 bench/compare_lrsnash.py lrsnash DIR [LIMIT_S]   # run lrsnash on every game, keep its output
    python3 bench/compare_lrsnash.py compare DIR [LIMIT_S] [SIZES]  # both solvers, one run: time, count, peak RSS

`generate` writes the game set the tests ship (`crates/powerseek/tests/data/lrsnash`):
60 games, each a file `NAME.game` in lrsnash's input format ("m n", blank line,
player 1's m×n payoffs, blank line, player 2's). Payoffs are integers uniform
in [-10, 10] (random games) or in {0, 1} (degenerate games), drawn by Python's
`random.Random` seeded with the kind, size and game number (all in the name), so the set is
reproducible.

`lrsnash` runs lrsnash on every game with a time limit and writes its raw
output next to the game (`NAME.out`); games over the limit get no output file
and are listed.

`compare` runs lrsnash and powerseek's reverse search (the bench binary
`reverse_search`, built with `cargo bench --no-run`) on each game, one process
per game, and prints per-game and per-size CPU time, equilibria found (and
whether the two sets are equal, exactly), and peak resident memory
(`ru_maxrss` of each child process). SIZES (e.g. "16,20") restricts the games
to those square sizes.
"""
import glob
import json
import os
import random
import re
import subprocess
import sys
import time
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (kind, m, n, count): kind "r" = integers in [-10, 10], "d" = {0, 1} (degenerate).
GAME_SET = [
    ("r", 8, 8, 6),
    ("r", 10, 10, 6),
    ("r", 12, 12, 6),
    ("r", 14, 14, 4),
    ("r", 16, 16, 4),
    ("r", 18, 18, 2),
    ("r", 20, 20, 3),
    ("r", 8, 12, 2),
    ("r", 12, 8, 2),
    ("r", 10, 16, 2),
    ("r", 16, 10, 2),
    ("d", 8, 8, 7),
    ("d", 10, 10, 7),
    ("d", 12, 12, 7),
]

# Larger degenerate games, measured but not shipped as test data (`generate-large`).
LARGE_DEGENERATE_SET = [
    ("d", 14, 14, 3),
    ("d", 16, 16, 2),
    ("d", 18, 18, 2),
    ("d", 20, 20, 2),
]


def game_name(kind, m, n, seed):
    return f"{kind}{m:02d}x{n:02d}_{seed}"


def random_game(kind, m, n, seed):
    rng = random.Random(f"{kind}-{m}-{n}-{seed}")
    lo, hi = (-10, 10) if kind == "r" else (0, 1)
    return [[[rng.randint(lo, hi) for _ in range(n)] for _ in range(m)] for _ in range(2)]


def game_text(game):
    m, n = len(game[0]), len(game[0][0])
    lines = [f"{m} {n}", ""]
    for player in game:
        lines += [" ".join(str(x) for x in row) for row in player]
        lines.append("")
    return "\n".join(lines)


def generate(directory, game_set=GAME_SET):
    os.makedirs(directory, exist_ok=True)
    count = 0
    for kind, m, n, k in game_set:
        for seed in range(1, k + 1):
            name = game_name(kind, m, n, seed)
            with open(os.path.join(directory, name + ".game"), "w") as f:
                f.write(game_text(random_game(kind, m, n, seed)))
            count += 1
    print(f"{count} games in {directory}")


def parse_lrsnash(text):
    """The equilibria in lrsnash's output: within each block (blank-line
    separated), lines "2 y.. v" give player 2's strategy (and player 1's
    payoff), lines "1 x.. u" player 1's; every pair in a block is an
    equilibrium."""
    eqs = set()
    for block in text.split("\n\n"):
        xs, ys = [], []
        for line in block.strip().splitlines():
            parts = line.split()
            if not parts or parts[0] not in ("1", "2"):
                continue
            strategy = tuple(Fraction(p) for p in parts[1:-1])
            (xs if parts[0] == "1" else ys).append(strategy)
        for x in xs:
            for y in ys:
                eqs.add((x, y))
    return eqs


def run_measured(cmd, limit):
    """Run a command with a wall-clock limit; return (stdout, cpu s, wall s, peak RSS MB) or None."""
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    # CPU time and peak RSS of this one child, from /usr/bin/time -v on stderr.
    wall = time.time() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    cpu, rss = None, None
    for line in err.splitlines():
        line = line.strip()
        if line.startswith("User time (seconds):"):
            cpu = (cpu or 0.0) + float(line.split(":")[1])
        elif line.startswith("System time (seconds):"):
            cpu = (cpu or 0.0) + float(line.split(":")[1])
        elif line.startswith("Maximum resident set size (kbytes):"):
            rss = int(line.split(":")[1]) / 1024.0
    return out, cpu, wall, rss


def run_lrsnash_dir(directory, limit):
    slow = []
    for path in sorted(glob.glob(os.path.join(directory, "*.game"))):
        name = os.path.basename(path)[:-5]
        r = run_measured(["/usr/bin/time", "-v", "lrsnash", path], limit)
        if r is None:
            slow.append(name)
            print(f"{name}: over {limit} s, no output kept", flush=True)
            continue
        out, cpu, wall, rss = r
        with open(os.path.join(directory, name + ".out"), "w") as f:
            f.write(out)
        print(f"{name}: {len(parse_lrsnash(out))} equilibria, {cpu:.2f} CPU-s, {rss:.1f} MB", flush=True)
    if slow:
        print("over the limit:", " ".join(slow))


def bench_binary():
    out = subprocess.run(
        ["cargo", "bench", "-p", "powerseek", "--bench", "reverse_search", "--no-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in (out.stdout + out.stderr).splitlines():
        if "Executable" in line and "reverse_search" in line:
            return line.split("(")[-1].rstrip(")").strip()
    raise RuntimeError("could not find the reverse_search bench binary:\n" + out.stderr)


def parse_ours(text):
    """The bench binary's `--print` output: lines "x1,x2,..|y1,y2,..", then a JSON summary line."""
    eqs, summary = set(), None
    for line in text.splitlines():
        if line.startswith("{"):
            summary = json.loads(line)
        elif "|" in line:
            x, y = line.split("|")
            eqs.add((tuple(Fraction(v) for v in x.split(",")), tuple(Fraction(v) for v in y.split(","))))
    return eqs, summary


def compare(directory, limit, sizes):
    binary = bench_binary()
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    files = sorted(glob.glob(os.path.join(directory, "*.game")))
    rows = {}
    print(f"{'game':<18} {'eq lrs':>7} {'eq ours':>7} {'same':>5} {'lrs s':>8} {'ours s':>8} {'lrs MB':>7} {'ours MB':>7}  (CPU seconds, peak RSS)")
    for path in files:
        name = os.path.basename(path)[:-5]
        m, n = map(int, name[1:].split("_")[0].split("x"))
        if sizes and not (m == n and m in sizes):
            continue
        lrs = run_measured(["/usr/bin/time", "-v", "lrsnash", path], limit)
        ours = run_measured(["/usr/bin/time", "-v", binary, "--print", path], limit)
        lrs_eq = parse_lrsnash(lrs[0]) if lrs else None
        ours_eq = parse_ours(ours[0])[0] if ours else None
        # Finer CPU times than /usr/bin/time's 10 ms: lrsnash's own "*0.319u 0.000s"
        # line, and the bench binary's in-process CPU time.
        if lrs:
            own = re.search(r"^\*(\d+\.\d+)u (\d+\.\d+)s", lrs[0], re.M)
            if own:
                lrs = (lrs[0], float(own.group(1)) + float(own.group(2)), lrs[2], lrs[3])
        if ours:
            summary = parse_ours(ours[0])[1]
            if summary and summary.get("cpu_seconds") is not None:
                ours = (ours[0], summary["cpu_seconds"], ours[2], ours[3])
        same = "-" if lrs_eq is None or ours_eq is None else ("yes" if lrs_eq == ours_eq else "NO")

        def fmt(r, k, spec):
            return format(r[k], spec) if r else f">{limit}"

        print(
            f"{name:<18} {len(lrs_eq) if lrs_eq is not None else '-':>7} {len(ours_eq) if ours_eq is not None else '-':>7} "
            f"{same:>5} {fmt(lrs, 1, '8.3f'):>8} {fmt(ours, 1, '8.3f'):>8} {fmt(lrs, 3, '7.1f'):>7} {fmt(ours, 3, '7.1f'):>7}",
            flush=True,
        )
        key = (name[0], m, n)
        rows.setdefault(key, []).append((lrs, ours, lrs_eq, ours_eq, same))
    print()
    print("| games | size | equilibria (per game) | lrsnash CPU s (mean) | powerseek CPU s (mean) | ratio | peak RSS lrsnash | peak RSS powerseek | same sets |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (kind, m, n), rs in sorted(rows.items(), key=lambda kv: (kv[0][0] != "r", kv[0][1] * kv[0][2], kv[0][1])):
        done = [r for r in rs if r[0] and r[1]]
        counts = "/".join(str(len(r[3])) for r in rs if r[3] is not None)
        if not done:
            print(f"| {len(rs)} | {kind} {m}×{n} | {counts} | >{limit} | ... | | | | |")
            continue
        lt = sum(r[0][1] for r in done) / len(done)
        ot = sum(r[1][1] for r in done) / len(done)
        lm = max(r[0][3] for r in done)
        om = max(r[1][3] for r in done)
        same = sum(r[4] == "yes" for r in done)
        label = "random [-10,10]" if kind == "r" else "degenerate {0,1}"
        print(f"| {len(done)} | {m}×{n} {label} | {counts} | {lt:.4g} | {ot:.4g} | {ot / max(lt, 1e-9):.2f} | {lm:.1f} MB | {om:.1f} MB | {same}/{len(done)} |")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    cmd, directory = sys.argv[1], sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    if cmd == "generate":
        generate(directory)
    elif cmd == "generate-large":
        generate(directory, LARGE_DEGENERATE_SET)
    elif cmd == "lrsnash":
        run_lrsnash_dir(directory, limit)
    elif cmd == "compare":
        sizes = {int(s) for s in sys.argv[4].split(",")} if len(sys.argv) > 4 else set()
        compare(directory, limit, sizes)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
