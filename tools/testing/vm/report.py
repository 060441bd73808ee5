#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise gochan test runs.

report.py LABEL:DIR [LABEL:DIR ...]

Each DIR holds results.log, the sections written by the guest's init (or
by check.sh for host-side checks):

    gochan-suite: NAME
    ...TAP or KTAP...
    gochan-end: NAME RC

and, for a VM run, console.log (the kernel console).  One line is printed
per suite, failing cases are named under it, and the last line is exactly
"N passed, N failed" (", N skipped" is added when any were skipped).  The
exit status is 1 when anything failed.

Counting rules:
- a suite's cases are its result lines at case depth: depth 0 for TAP,
  depth 1 (four spaces) for a KUnit suite's KTAP, where depth 0 is the
  suite itself and depth 2 the parameters of a parameterised case;
- a suite with no case, a non-zero RC, or a failing suite line counts as
  one more failure, so a crash between two cases is never a pass;
- a VM run that never printed "gochan-done" (timeout, panic) fails, and
  the console's tail is shown;
- a splat anywhere in the console fails the run even if every case passed.
"""
import os
import re
import sys

COMMENT = re.compile(r"^\s*#\s?(?P<text>.*)$")
# Diagnostics shown for a failing case: the comment lines just before it.
MAX_WHY = 16
RESULT = re.compile(r"^(?P<indent>\s*)(?P<res>ok|not ok)\s+\d+\s*-?\s*(?P<desc>.*)$")
SPLAT = re.compile(
    r"BUG:|WARNING:|Oops|KASAN:|UBSAN:|kmemleak: \d+ new suspected|"
    r"possible circular locking|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|blocked for more than|"
    r"soft lockup|ODEBUG:|list_add corruption|list_del corruption|"
    r"Kernel panic|general protection fault|Call Trace:"
)


class Suite:
    def __init__(self, label, name):
        self.label = label
        self.name = name
        self.passed = 0
        self.failed = []
        self.skipped = 0
        self.why = {}

    def case(self, ok, desc, why=()):
        if re.search(r"#\s*SKIP", desc, re.I):
            self.skipped += 1
        elif ok:
            self.passed += 1
        else:
            self.failed.append(desc)
            self.why[desc] = list(why)[-MAX_WHY:]


def parse_results(label, path):
    suites = []
    done = False
    cur = None
    depth = 0
    suite_line_bad = False
    why = []
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        lines = []
    for raw in lines:
        line = raw.rstrip("\r")
        if line.startswith("gochan-suite: "):
            cur = Suite(label, line.split(": ", 1)[1].strip())
            depth = 4 if cur.name.startswith("kunit:") else 0
            why = []
            suite_line_bad = False
            continue
        if line.startswith("gochan-end: ") and cur:
            rc = line.split()[-1]
            if cur.passed + len(cur.failed) + cur.skipped == 0:
                cur.failed.append("no test case ran")
            if rc not in ("0", "4") and not cur.failed:  # 4: KSFT_SKIP
                cur.failed.append(f"exit status {rc}")
            if suite_line_bad and not cur.failed:
                cur.failed.append("suite reported failure")
            suites.append(cur)
            cur = None
            continue
        if line.strip() == "gochan-done":
            done = True
            continue
        if cur is None:
            continue
        m = RESULT.match(line)
        if not m:
            c = COMMENT.match(line)
            if c and not re.match(r"(RUN|OK|Subtest:|Starting|module:)\b",
                                  c.group("text").strip()):
                why.append(c.group("text").strip())
            continue
        indent = len(m.group("indent").expandtabs(4))
        ok = m.group("res") == "ok"
        if indent == depth:
            cur.case(ok, m.group("desc"), why)
            why = []
        elif indent < depth and not ok:
            suite_line_bad = True
    if cur is not None:
        cur.failed.append("section cut off (guest died or timed out here)")
        suites.append(cur)
    return suites, done


def check_console(label, path, done, suites):
    s = Suite(label, "console")
    try:
        text = open(path, errors="replace").read().splitlines()
    except OSError:
        return None
    splats = [l for l in text if SPLAT.search(l)]
    if splats:
        s.case(False, "kernel log has a splat")
        s.detail = splats[:20]
    else:
        s.case(True, "kernel log clean")
    if done:
        s.case(True, "guest finished")
    else:
        s.case(False, "guest did not finish (timeout, panic or hang)")
        s.detail = getattr(s, "detail", []) + ["--- console tail ---"] + text[-40:]
    return s


def main(argv):
    all_suites = []
    for arg in argv:
        label, _, d = arg.partition(":")
        suites, done = parse_results(label, os.path.join(d, "results.log"))
        all_suites += suites
        console = os.path.join(d, "console.log")
        if os.path.exists(console):
            c = check_console(label, console, done, suites)
            if c:
                all_suites.append(c)
    npass = nfail = nskip = 0
    width = max([len(s.name) for s in all_suites] + [10])
    for s in all_suites:
        npass += s.passed
        nfail += len(s.failed)
        nskip += s.skipped
        extra = f", {s.skipped} skipped" if s.skipped else ""
        print(f"{s.label:6} {s.name:{width}}  {s.passed} passed, {len(s.failed)} failed{extra}")
        for f in s.failed:
            print(f"{'':6}   FAIL: {f}")
            for w in s.why.get(f, []):
                print(f"{'':6}     # {w}")
        for d in getattr(s, "detail", []):
            print(f"{'':6}   | {d}")
    if not all_suites:
        nfail += 1
        print("no results at all")
    tail = f", {nskip} skipped" if nskip else ""
    print(f"{npass} passed, {nfail} failed{tail}")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
