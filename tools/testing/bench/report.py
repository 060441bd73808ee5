#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn gochan_bench's CSV samples into the benchmark report.

usage: report.py SAMPLES.csv OUTDIR

Writes OUTDIR/table.txt (what a person reads), OUTDIR/results.json (every
figure, for tools), OUTDIR/summary.csv (one row per implementation) and,
when gnuplot is installed, OUTDIR/chart.png (gochan's ratio to each peer).

Every ratio is gochan's median over the peer's, both in time per
operation: below 1.0 gochan is faster.  A throughput target such as
"3x the pipe's messages per second" is a time ratio of 1/3.
"""
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections import OrderedDict

# (bench, param, place or None for all, gochan impl, peer or None, limit,
#  what the issue asks)
TARGETS = [
    ("pingpong", "8B", None, "gochan-unbuffered", "futex", 1.0,
     "unbuffered ping-pong <= 1.0x futex"),
    ("pingpong", "8B", None, "gochan-unbuffered", "pipe", 0.8,
     "unbuffered ping-pong <= 0.8x pipe"),
    ("stream", None, None, "gochan", "pipe", 1.0,
     "single-value stream >= 1.0x pipe msgs/s"),
    ("stream", None, None, "gochan-batch64", "pipe", 1 / 3,
     "batched stream >= 3x pipe msgs/s"),
    ("select", "k=64", None, "gochan-select", "epoll-eventfd", 1.5,
     "select, k=64, one ready <= 1.5x epoll"),
    ("close-wake", None, None, "gochan-close", "futex-wake-all", 1.5,
     "close waking N receivers <= 1.5x futex wake-all"),
    ("noop", None, None, "gochan-tryrecv-empty", "getppid", 1.2,
     "no-op channel ioctl <= 1.2x getppid"),
    ("spawn", None, None, "kgo", "wq", 1.0,
     "spawn many >= 1.0x queue_work items/s"),
    ("spawn", "10k", None, "kgo", "kthread_run", 0.01,
     "spawn many >= 100x kthread_run"),
    ("chain", None, None, "kgo", "wq", 1.0,
     "chained spawn per hop <= 1.0x queue_work"),
    ("pingpong", "kernel", None, "kgo", "kthread", 1.0,
     "goroutine ping-pong <= 1.0x kthreads + waitqueues"),
    ("imbalance", None, None, "kgo", None, 1.15,
     "imbalance drain <= 1.15x ideal"),
    ("balanced", None, None, "kgo", "wq_percpu", 1.05,
     "balanced load: stealing overhead <= 5%"),
    ("memory", None, None, "kgo_cont", None, 256,
     "parked continuation <= 256 bytes"),
]

OURS = ("gochan", "kgo")


def p99(vals):
    s = sorted(vals)
    return s[min(len(s) - 1, max(0, -(-99 * len(s) // 100) - 1))]


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
                (rows if len(row) == 7 else other).append(row if len(row) == 7
                                                          else line)
    return meta, rows, other


def aggregate(rows):
    groups = OrderedDict()
    for bench, param, place, impl, unit, rep, value in rows:
        key = (bench, param, place, impl)
        g = groups.setdefault(key, {"unit": unit, "values": []})
        g["values"].append(float(value))
    out = []
    for (bench, param, place, impl), g in groups.items():
        v = g["values"]
        out.append({"bench": bench, "param": param, "place": place,
                    "impl": impl, "unit": g["unit"],
                    "median": statistics.median(v), "p99": p99(v),
                    "samples": len(v)})
    return out


def fmt(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def ratios(stats):
    """Every (gochan impl, peer) pair within one bench/param/place."""
    by = OrderedDict()
    for s in stats:
        by.setdefault((s["bench"], s["param"], s["place"]), []).append(s)
    out = []
    for (bench, param, place), impls in by.items():
        ours = [s for s in impls if s["impl"].startswith(OURS)]
        peers = [s for s in impls if not s["impl"].startswith(OURS)]
        for o in ours:
            for p in peers:
                # A median of 0: the clock did not tick (a kernel on a
                # jiffies clocksource); no ratio then.
                if not p["median"]:
                    continue
                out.append({"bench": bench, "param": param, "place": place,
                            "gochan": o["impl"], "peer": p["impl"],
                            "ratio": o["median"] / p["median"]})
    return by, out


def targets(stats, rats):
    med = {(s["bench"], s["param"], s["place"], s["impl"]): s["median"]
           for s in stats}
    out = []
    for bench, param, place, ours, peer, limit, what in TARGETS:
        for (b, pa, pl, impl), m in med.items():
            if b != bench or impl != ours or (param and pa != param) or \
               (place and pl != place):
                continue
            if peer:
                pm = med.get((b, pa, pl, peer))
                if not pm:
                    continue
                value = m / pm
            else:
                value = m
            out.append({"target": what, "bench": b, "param": pa,
                        "place": pl, "gochan": impl, "peer": peer,
                        "value": value, "limit": limit,
                        "met": value <= limit})
    return out


def table(meta, by, rats, tgts):
    lines = ["gochan benchmarks"]
    lines += ["  " + m for m in meta
              if not m.startswith(("imbalance", "balanced", "done", "exit"))]
    lines.append("")
    lines.append("Absolute times are under the test VM (qemu TCG): only the "
                 "ratios carry over.")
    lines.append("ratio = gochan median / peer median, in time per operation "
                 "(< 1: gochan is faster).")
    lines.append("")
    hdr = "%-10s %-10s %-9s %-24s %12s %12s  %-15s %s" % (
        "bench", "param", "place", "impl", "median", "p99", "unit",
        "gochan/peer")
    lines.append(hdr)
    lines.append("-" * len(hdr))
    for (bench, param, place), impls in by.items():
        for s in impls:
            r = [x for x in rats if (x["bench"], x["param"], x["place"],
                                     x["peer"]) == (bench, param, place,
                                                    s["impl"])]
            rs = "  ".join("%s %s" % (x["gochan"], fmt(x["ratio"]))
                           for x in r)
            lines.append("%-10s %-10s %-9s %-24s %12s %12s  %-15s %s" % (
                bench, param, place, s["impl"], fmt(s["median"]),
                fmt(s["p99"]), s["unit"], rs))
        lines.append("")
    lines.append("Targets (judged on the stock kernel)")
    lines.append("")
    for t in tgts:
        vs = ("/ " + t["peer"]) if t["peer"] else ""
        lines.append("%-5s %-52s %-10s %-9s %-22s %s %s (limit %s)" % (
            "MET" if t["met"] else "MISS", t["target"], t["param"],
            t["place"], t["gochan"] + " " + vs,
            fmt(t["value"]), "", fmt(t["limit"])))
    met = sum(t["met"] for t in tgts)
    lines.append("")
    lines.append("%d of %d target rows met" % (met, len(tgts)))
    return "\n".join(lines) + "\n"


def chart(outdir, rats):
    if not shutil.which("gnuplot"):
        print("report: gnuplot not installed, no chart", file=sys.stderr)
        return
    data = os.path.join(outdir, "chart.dat")
    with open(data, "w") as f:
        for i, r in enumerate(rats):
            label = "%s %s %s: %s/%s" % (r["bench"], r["param"], r["place"],
                                         r["gochan"], r["peer"])
            f.write('%d %.4f "%s"\n' % (i, r["ratio"], label))
    script = """
set terminal pngcairo size 1400,%d font ",9" noenhanced
set output "%s"
set title "gochan median / peer median (time per operation; < 1: gochan faster)"
set style fill solid 0.6
set logscale x 2
set yrange [-1:%d]
set ytics scale 0
set grid xtics
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "red"
set xlabel "ratio (log scale)"
unset key
plot "%s" using ($2*0.5+0.5*1):1:(1<$2?1:$2):(1<$2?$2:1):($1-0.35):($1+0.35):ytic(3) \\
     with boxxyerror lc rgb "#4477aa"
""" % (max(400, 18 * len(rats) + 120), os.path.join(outdir, "chart.png"),
       len(rats), data)
    with open(os.path.join(outdir, "chart.gp"), "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", os.path.join(outdir, "chart.gp")], check=True)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    meta, rows, other = load(sys.argv[1])
    for line in other:
        print("report: " + line, file=sys.stderr)
    if not rows:
        sys.exit("report: no samples in " + sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    stats = aggregate(rows)
    by, rats = ratios(stats)
    tgts = targets(stats, rats)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": stats, "ratios": rats,
                   "targets": tgts}, f, indent=1)
    with open(os.path.join(outdir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["bench", "param", "place", "impl", "unit", "median",
                    "p99", "samples"])
        for s in stats:
            w.writerow([s["bench"], s["param"], s["place"], s["impl"],
                        s["unit"], "%.1f" % s["median"], "%.1f" % s["p99"],
                        s["samples"]])
    text = table(meta, by, rats, tgts)
    with open(os.path.join(outdir, "table.txt"), "w") as f:
        f.write(text)
    chart(outdir, rats)
    return 1 if other else 0


if __name__ == "__main__":
    sys.exit(main())
