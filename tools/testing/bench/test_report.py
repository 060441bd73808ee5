#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The verdict rules of the benchmark report, on made-up samples.

Run by "make check" on the host (the "report" suite), so that the rules
cannot rot: a target is MET only when met in every boot, a spread that
crosses the limit says so, an absent row is a MISS, figures keep their
digits, and CPU time stands beside wall time.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

HEAD = "# kernel test\nbench,param,place,impl,unit,rep,value\n"


def boot(rows):
    """CSV text: rows of (bench, param, place, impl, unit, [values])."""
    out = [HEAD]
    for bench, param, place, impl, unit, vals in rows:
        for i, v in enumerate(vals):
            out.append("%s,%s,%s,%s,%s,%d,%s\n" % (bench, param, place, impl,
                                                   unit, i, v))
    return "".join(out)


def pp(ours, peer, cpu=None):
    rows = [("pingpong", "8B", "cross-cpu", "gochan-unbuffered",
             "ns/roundtrip", [ours] * 5),
            ("pingpong", "8B", "cross-cpu", "futex-spin", "ns/roundtrip",
             [peer] * 5)]
    if cpu:
        rows.append(("pingpong", "8B", "cross-cpu", "gochan-unbuffered",
                     "cpu-ns/roundtrip", [cpu]))
    return rows


class Report(unittest.TestCase):
    def run_report(self, boots):
        d = tempfile.mkdtemp()
        paths = []
        for i, rows in enumerate(boots):
            p = os.path.join(d, "b%d.csv" % i)
            with open(p, "w") as f:
                f.write(boot(rows))
            paths.append(p)
        metas, per = [], []
        for p in paths:
            m, rows, _ = report.load(p)
            metas += m
            per.append(report.per_boot(rows))
        stats = report.combine(per)
        by, rats = report.ratio_rows(per, stats)
        tgts = report.targets(per, stats)
        text = report.table(metas, len(per), by, stats, rats, tgts)
        return tgts, text

    def row(self, tgts, what):
        return [t for t in tgts if t["target"] == what]

    def test_met_in_every_boot(self):
        tgts, _ = self.run_report([pp(90, 100), pp(95, 100), pp(99, 100)])
        r = self.row(tgts, "unbuffered ping-pong <= 1.0x futex (both spin)")
        self.assertEqual(r[0]["status"], "MET")
        self.assertAlmostEqual(r[0]["lo"], 0.9)
        self.assertAlmostEqual(r[0]["hi"], 0.99)

    def test_spread_crosses_limit(self):
        tgts, text = self.run_report([pp(90, 100), pp(110, 100), pp(95, 100)])
        r = self.row(tgts, "unbuffered ping-pong <= 1.0x futex (both spin)")
        self.assertEqual(r[0]["status"], "MISS")
        self.assertIn("met in 2 of 3 boots", r[0]["why"])
        self.assertIn("spread crosses the limit", text)

    def test_absent_row_is_a_miss(self):
        tgts, text = self.run_report([pp(90, 100)])
        r = self.row(tgts, "parked continuation <= 256 bytes")
        self.assertEqual(r[0]["status"], "MISS")
        self.assertIn("absent", r[0]["why"])
        self.assertIn("parked continuation", text)

    def test_absent_in_one_boot(self):
        tgts, _ = self.run_report([pp(90, 100), pp(90, 100)[:1]])
        r = self.row(tgts, "unbuffered ping-pong <= 1.0x futex (both spin)")
        self.assertEqual(r[0]["status"], "MISS")
        self.assertIn("absent in 1 of 2 boots", r[0]["why"])

    def test_digits_decide_nothing(self):
        # 1.004 must not print as the limit 1.00.
        tgts, text = self.run_report([pp(1004, 1000)])
        r = self.row(tgts, "unbuffered ping-pong <= 1.0x futex (both spin)")
        self.assertEqual(r[0]["status"], "MISS")
        self.assertIn("1.004", text)
        self.assertEqual(report.fmt_vs(0.0012, 0.01), "0.001")
        self.assertEqual(report.fmt_vs(1.0004, 1.0), "1.0004")

    def test_cpu_beside_wall(self):
        _, text = self.run_report([pp(90, 100, cpu=180)])
        line = [ln for ln in text.splitlines()
                if "gochan-unbuffered " in ln and "pingpong" in ln][0]
        self.assertIn(" 180 ", line)

    def test_max_is_called_max(self):
        _, text = self.run_report([pp(90, 100)])
        hdr = [ln for ln in text.splitlines() if ln.startswith("bench ")][0]
        self.assertIn(" max ", hdr)
        self.assertNotIn("p99", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
