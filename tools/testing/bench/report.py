#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn gochan_bench's CSV samples, one file per VM boot, into the report.

usage: report.py OUTDIR BOOT.csv [BOOT.csv ...]

Writes OUTDIR/table.txt (what a person reads), OUTDIR/results.json (every
figure, for tools), OUTDIR/summary.csv (one row per implementation) and,
when gnuplot is installed, OUTDIR/chart.png.

Each boot's samples give a median per implementation; across boots the
report gives the median of those medians and their spread (lowest and
highest).  A ratio is gochan's median over the peer's, both in time per
operation (below 1.0 gochan is faster), computed in each boot.  A target
row is MET only when it is met in every boot; a row met in some boots
only says that its spread crosses the limit; a target with no row at all
is a MISS, never dropped.  Targets compare gochan with the peer that
waits the same way: spinning gochan with the spinning peer, gochan with
spin_ns = 0 ("-nospin") with the peer that sleeps at once.  The other
peers are in the table as information.

"max" is the largest sample of all boots (with 50 samples per boot a
99th percentile would be the maximum anyway).  "cpu/op" is the CPU time
per operation: of the whole benchmark process (every thread) for the
userspace rows, of every CPU of the machine (wall time less idle time)
for the kernel rows.  Above the wall time per operation, both sides were
busy (spinning, or working in parallel).
"""
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections import OrderedDict

# (bench, param or None, place or None, gochan impl, peer or None, limit,
#  what is asked)
TARGETS = [
    ("pingpong", "8B", None, "gochan-unbuffered", "futex-spin", 1.0,
     "unbuffered ping-pong <= 1.0x futex (both spin)"),
    ("pingpong", "8B", None, "gochan-unbuffered-nospin", "futex", 1.0,
     "unbuffered ping-pong <= 1.0x futex (neither spins)"),
    ("pingpong", "8B", None, "gochan-unbuffered", "pipe-spin", 0.8,
     "unbuffered ping-pong <= 0.8x pipe (both spin)"),
    ("pingpong", "8B", None, "gochan-unbuffered-nospin", "pipe", 0.8,
     "unbuffered ping-pong <= 0.8x pipe (neither spins)"),
    ("stream", None, None, "gochan", "pipe-spin", 1.0,
     "single-value stream >= 1.0x pipe msgs/s (both spin)"),
    ("stream", None, None, "gochan-nospin", "pipe", 1.0,
     "single-value stream >= 1.0x pipe msgs/s (neither spins)"),
    ("stream", None, None, "gochan-batch64", "pipe-batch64-spin", 1 / 3,
     "batched stream >= 3x batched pipe msgs/s (both spin)"),
    ("stream", None, None, "gochan-batch64-nospin", "pipe-batch64", 1 / 3,
     "batched stream >= 3x batched pipe msgs/s (neither spins)"),
    ("select", "k=64", None, "gochan-select", "epoll-eventfd", 1.5,
     "select, k=64, one ready <= 1.5x epoll"),
    ("selector", "k=1", None, "gochan-selector", "epoll-eventfd", 1.5,
     "selector, 1 ready of k=1 <= 1.5x epoll"),
    ("selector", "k=64", None, "gochan-selector", "epoll-eventfd", 1.5,
     "selector, 1 ready of k=64 <= 1.5x epoll"),
    ("selector", "k=1024", None, "gochan-selector", "epoll-eventfd", 1.5,
     "selector, 1 ready of k=1024 <= 1.5x epoll"),
    ("selector", "k=4096", None, "gochan-selector", "epoll-eventfd", 1.5,
     "selector, 1 ready of k=4096 <= 1.5x epoll"),
    ("selector-wake", "k=64", None, "gochan-selector", "epoll-eventfd", 1.5,
     "selector wait woken cross-CPU <= 1.5x epoll (neither spins)"),
    ("close-wake", None, None, "gochan-close", "futex-wake-all", 1.5,
     "close waking N receivers <= 1.5x futex wake-all"),
    ("noop", None, None, "gochan-tryrecv-empty", "getppid", 1.2,
     "no-op channel ioctl <= 1.2x getppid"),
    ("spawn", None, None, "kgo", "wq", 1.0,
     "spawn many >= 1.0x queue_work items/s"),
    ("spawn", "10k", None, "kgo", "kthread_run", 0.01,
     "spawn many >= 100x kthread_run (parallel)"),
    ("spawn", None, None, "kgo_record", "wq", 1.0,
     "spawn many, records the caller provides, >= 1.0x queue_work items/s"),
    ("chain", None, None, "kgo", "wq", 1.0,
     "chained spawn per hop <= 1.0x queue_work"),
    ("chain", None, None, "kgo_record", "wq", 1.0,
     "chained spawn of one caller's record per hop <= 1.0x queue_work"),
    ("pingpong", "kernel", None, "kgo", "kthread_spin", 1.0,
     "goroutine ping-pong <= 1.0x kthreads (both spin)"),
    ("pingpong", "kernel", None, "kgo-nospin", "kthread", 1.0,
     "goroutine ping-pong <= 1.0x kthreads (neither spins)"),
    ("imbalance", None, None, "kgo", None, 1.15,
     "imbalance drain <= 1.15x ideal"),
    ("balanced", None, None, "kgo", "wq_percpu", 1.05,
     "balanced load: stealing overhead <= 5%"),
    ("memory", None, None, "kgo_cont", None, 256,
     "parked continuation <= 256 bytes"),
]

OURS = ("gochan", "kgo")


def load(path):
    """Metadata ('#' lines), samples, and any other line (an error)."""
    meta, rows, other = [], [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("#"):
                meta.append(line[1:].strip())
            elif line and not line.startswith("bench,"):
                row = next(csv.reader([line]))
                if len(row) == 7:
                    rows.append(row)
                else:
                    other.append(line)
    return meta, rows, other


def per_boot(rows):
    """{(bench, param, place, impl, unit): {"median", "max", "n"}}."""
    groups = OrderedDict()
    for bench, param, place, impl, unit, rep, value in rows:
        groups.setdefault((bench, param, place, impl, unit), []).append(
            float(value))
    return OrderedDict((k, {"median": statistics.median(v), "max": max(v),
                            "n": len(v)}) for k, v in groups.items())


def spread(vals):
    return {"median": statistics.median(vals), "lo": min(vals),
            "hi": max(vals), "boots": len(vals)}


def combine(boots):
    """Across boots: each key's median of medians, spread, max, CPU."""
    keys = OrderedDict()
    for b in boots:
        for k in b:
            keys[k] = True
    out = OrderedDict()
    for k in keys:
        have = [b[k] for b in boots if k in b]
        s = spread([h["median"] for h in have])
        s["max"] = max(h["max"] for h in have)
        s["samples"] = sum(h["n"] for h in have)
        out[k] = s
    return out


def is_cpu(unit):
    return unit.startswith("cpu-")


def ratio_rows(boots, stats):
    """Every (gochan impl, peer) pair of one bench/param/place: per boot."""
    by = OrderedDict()
    for (bench, param, place, impl, unit) in stats:
        if not is_cpu(unit):
            by.setdefault((bench, param, place), []).append((impl, unit))
    out = []
    for (bench, param, place), impls in by.items():
        ours = [i for i in impls if i[0].startswith(OURS)]
        peers = [i for i in impls if not i[0].startswith(OURS)]
        for o, unit in ours:
            for p, _ in peers:
                vals = boot_ratios(boots, (bench, param, place), o, p, unit)
                if vals:
                    r = spread(vals)
                    r.update({"bench": bench, "param": param,
                              "place": place, "gochan": o, "peer": p,
                              "per_boot": vals})
                    out.append(r)
    return by, out


def boot_ratios(boots, where, ours, peer, unit):
    """ours / peer in each boot that has both (a median of 0: no clock)."""
    vals = []
    for b in boots:
        o = b.get(where + (ours, unit))
        p = b.get(where + (peer, unit))
        if o and p and p["median"]:
            vals.append(o["median"] / p["median"])
    return vals


def targets(boots, stats):
    out = []
    wall = [k for k in stats if not is_cpu(k[4])]
    for bench, param, place, ours, peer, limit, what in TARGETS:
        rows = [k for k in wall if k[0] == bench and k[3] == ours and
                (not param or k[1] == param) and (not place or k[2] == place)]
        if not rows:
            out.append({"target": what, "bench": bench, "param": param or "-",
                        "place": place or "-", "gochan": ours, "peer": peer,
                        "limit": limit, "status": "MISS", "met": False,
                        "why": "absent: no such row was measured",
                        "median": None, "lo": None, "hi": None,
                        "per_boot": []})
            continue
        for (b, pa, pl, impl, unit) in rows:
            if peer:
                vals = [None] * len(boots)
                for i, bt in enumerate(boots):
                    o = bt.get((b, pa, pl, impl, unit))
                    p = bt.get((b, pa, pl, peer, unit))
                    if o and p and p["median"]:
                        vals[i] = o["median"] / p["median"]
            else:
                vals = [bt[(b, pa, pl, impl, unit)]["median"]
                        if (b, pa, pl, impl, unit) in bt else None
                        for bt in boots]
            got = [v for v in vals if v is not None]
            t = {"target": what, "bench": b, "param": pa, "place": pl,
                 "gochan": impl, "peer": peer, "limit": limit,
                 "per_boot": vals}
            if len(got) < len(vals) or not got:
                t.update({"status": "MISS", "met": False,
                          "why": "absent in %d of %d boots" %
                          (len(vals) - len(got), len(vals))})
            else:
                met = sum(v <= limit for v in got)
                if met == len(got):
                    t.update({"status": "MET", "met": True, "why": ""})
                elif met:
                    t.update({"status": "MISS", "met": False,
                              "why": "spread crosses the limit: met in "
                                     "%d of %d boots" % (met, len(got))})
                else:
                    t.update({"status": "MISS", "met": False, "why": ""})
            t.update(spread(got) if got else
                     {"median": None, "lo": None, "hi": None})
            out.append(t)
    return out


def fmt(x):
    """A median or a spread bound: 4 significant digits at least."""
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return "%.0f" % x
    return "%.4g" % x


def fmt_vs(x, limit):
    """x with enough decimals that it cannot read as the limit."""
    if x is None:
        return "-"
    for d in range(3, 9):
        a, b = "%.*f" % (d, x), "%.*f" % (d, limit)
        if a != b and float(a) != 0:
            return a
    return "%.3e" % x


def header(meta, boots_meta):
    lines = ["gochan benchmarks"]
    seen = set()
    for m in meta:
        if m.startswith(("imbalance", "balanced", "done", "exit")) or m in seen:
            continue
        seen.add(m)
        lines.append("  " + m)
    lines.append("  boots: %d (each boot runs every benchmark; figures are "
                 "the median across boots of each boot's median, "
                 "[lowest-highest] across boots)" % boots_meta)
    return lines


def table(meta, nboots, by, stats, rats, tgts):
    lines = header(meta, nboots)
    lines.append("")
    lines.append("Absolute times are under the test VM (qemu TCG): only the "
                 "ratios carry over.")
    lines.append("ratio = gochan median / peer median, in time per operation "
                 "(< 1: gochan is faster).")
    lines.append("")
    fmt_row = "%-10s %-14s %-9s %-24s %10s %-21s %10s %10s  %-15s %s"
    hdr = fmt_row % ("bench", "param", "place", "impl", "median",
                     "[boot spread]", "max", "cpu/op", "unit",
                     "gochan/peer [spread]")
    lines.append(hdr)
    lines.append("-" * len(hdr))
    for (bench, param, place), impls in by.items():
        for impl, unit in impls:
            s = stats[(bench, param, place, impl, unit)]
            cpu = stats.get((bench, param, place, impl, "cpu-" + unit))
            rs = "  ".join("%s %s [%s-%s]" % (r["gochan"], fmt(r["median"]),
                                               fmt(r["lo"]), fmt(r["hi"]))
                           for r in rats
                           if (r["bench"], r["param"], r["place"],
                               r["peer"]) == (bench, param, place, impl))
            lines.append(fmt_row % (
                bench, param, place, impl, fmt(s["median"]),
                "[%s-%s]" % (fmt(s["lo"]), fmt(s["hi"])), fmt(s["max"]),
                fmt(cpu["median"]) if cpu else "-", unit, rs))
        lines.append("")
    lines.append("Targets (judged on the stock kernel; MET only when met in "
                 "every boot)")
    lines.append("")
    for t in tgts:
        vs = ("/ " + t["peer"]) if t["peer"] else ""
        spr = ("[%s-%s]" % (fmt_vs(t["lo"], t["limit"]),
                            fmt_vs(t["hi"], t["limit"]))
               if t["lo"] is not None else "")
        lines.append("%-4s %-56s %-10s %-9s %-40s %s %s (limit %s)%s" % (
            t["status"], t["target"], t["param"], t["place"],
            t["gochan"] + " " + vs, fmt_vs(t["median"], t["limit"]), spr,
            ("%g" % t["limit"]) if t["limit"] == round(t["limit"], 3)
            else "%.3f" % t["limit"],
            ("  " + t["why"]) if t["why"] else ""))
    met = sum(t["met"] for t in tgts)
    lines.append("")
    lines.append("%d of %d target rows met" % (met, len(tgts)))
    return "\n".join(lines) + "\n"


COLOURS = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377",
           "#bbbbbb", "#000000", "#ee7733", "#009988", "#882255", "#999933",
           "#332288", "#cc3311", "#44aa99", "#dd77bb"]


def chart(outdir, tgts):
    """Target rows, grouped by benchmark: ratio (or value) per boot."""
    if not shutil.which("gnuplot"):
        print("report: gnuplot not installed, no chart", file=sys.stderr)
        return
    rows = [t for t in tgts if t["median"] is not None and t["peer"]]
    peers = list(OrderedDict((t["peer"], True) for t in rows))
    data = os.path.join(outdir, "chart.dat")
    y, last, ytics = 0, None, []
    with open(data, "w") as f:
        for t in rows:
            if last is not None and t["bench"] != last:
                y += 1		# a gap between benchmarks
            last = t["bench"]
            label = "%s %s %s: %s vs %s" % (t["bench"], t["param"],
                                            t["place"], t["gochan"], t["peer"])
            f.write("%d %.6g %.6g %.6g %.6g %d\n" % (
                y, t["median"], t["lo"], t["hi"], t["limit"],
                peers.index(t["peer"])))
            ytics.append('"%s" %d' % (label.replace('"', "'"), y))
            y += 1
    plots = []
    for i, p in enumerate(peers):
        plots.append('"%s" using ($6==%d?$2:NaN):1:3:4 with xerrorbars '
                     'pt 7 ps 1.3 lw 2 lc rgb "%s" title "vs %s"' %
                     (data, i, COLOURS[i % len(COLOURS)], p))
    plots.append('"%s" using 5:1 with points pt 3 ps 1.6 lc rgb "red" '
                 'title "target (at most)"' % data)
    script = """
set terminal pngcairo size 1300,%d font ",10" noenhanced
set output "%s"
set title "gochan / peer, time per operation (< 1: gochan faster); dot: median of the boots, bar: lowest to highest boot"
set logscale x 10
set xrange [0.003:30]
set xtics ("0.01" 0.01, "0.03" 0.03, "0.1" 0.1, "0.3" 0.3, "1" 1, "3" 3, "10" 10)
set yrange [%d:-1]
set ytics (%s) scale 0
set grid xtics
set arrow from 1, graph 0 to 1, graph 1 nohead lw 1 lc rgb "#888888"
set xlabel "ratio (log scale)"
set key outside right top
plot %s
""" % (max(420, 22 * y + 160), os.path.join(outdir, "chart.png"), y,
       ", ".join(ytics), ", \\\n     ".join(plots))
    with open(os.path.join(outdir, "chart.gp"), "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", os.path.join(outdir, "chart.gp")], check=True)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir, paths = sys.argv[1], sys.argv[2:]
    meta, boots, bad = [], [], 0
    for path in paths:
        m, rows, other = load(path)
        for line in other:
            print("report: %s: %s" % (path, line), file=sys.stderr)
        bad |= bool(other)
        if not rows:
            sys.exit("report: no samples in " + path)
        meta += m
        boots.append(per_boot(rows))
    os.makedirs(outdir, exist_ok=True)
    stats = combine(boots)
    by, rats = ratio_rows(boots, stats)
    tgts = targets(boots, stats)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"meta": meta, "boots": len(boots),
                   "results": [dict(zip(("bench", "param", "place", "impl",
                                         "unit"), k), **v)
                               for k, v in stats.items()],
                   "ratios": rats, "targets": tgts}, f, indent=1)
    with open(os.path.join(outdir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["bench", "param", "place", "impl", "unit", "median",
                    "lo", "hi", "max", "samples", "boots"])
        for k, s in stats.items():
            w.writerow(list(k) + ["%.6g" % s["median"], "%.6g" % s["lo"],
                                  "%.6g" % s["hi"], "%.6g" % s["max"],
                                  s["samples"], s["boots"]])
    text = table(meta, len(boots), by, stats, rats, tgts)
    with open(os.path.join(outdir, "table.txt"), "w") as f:
        f.write(text)
    chart(outdir, tgts)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
