#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise gochan test runs.

report.py [--manifest FILE --mode MODE] LABEL:DIR [LABEL:DIR ...]

Each DIR holds results.log, the sections written by the guest's init (or
by check.sh for host-side checks):

    gochan-suite: NAME
    ...TAP or KTAP...
    gochan-end: NAME RC

and, for a VM run (any LABEL but "host", which names the kernel), also
console.log (the kernel console) and status (the VM's exit status, as
stage_and_boot() saw it).  One line is printed per suite, failing cases
are named under it, and the last line is exactly "N passed, N failed"
(", N skipped" is added when any were skipped).  The exit status is 1
when anything failed.

Counting rules:
- a suite's cases are its result lines at case depth: depth 0 for TAP,
  depth 1 (four spaces) for a KUnit suite's KTAP, where depth 0 is the
  suite itself and depth 2 the parameters of a parameterised case;
- a suite with no case, a non-zero RC, a failing suite line, or a plan
  ("1..N") that disagrees with its results counts as one more failure,
  so a crash between two cases is never a pass;
- a VM run that left no results or no console, exited with a non-zero
  status, or never printed "gochan-done" (timeout, panic) fails, and the
  console's tail is shown;
- a splat anywhere in the console fails the run even if every case
  passed.

With --manifest (tools/testing/vm/manifest), for the given MODE:
- every suite the manifest lists for a kernel must have run, with at
  least its number of cases, and every suite the guest announced
  ("gochan-expect: NAME") must have run;
- every feature the manifest requires must be reported present by the
  guest's vm-features suite;
- a skipped case is a failure unless a "skip" line allows it.
"""
import fnmatch
import os
import re
import signal
import sys

COMMENT = re.compile(r"^\s*#\s?(?P<text>.*)$")
# Diagnostics shown for a failing case: the comment lines just before it.
MAX_WHY = 16
RESULT = re.compile(r"^(?P<indent>\s*)(?P<res>ok|not ok)\s+\d+\s*-?\s*(?P<desc>.*)$")
PLAN = re.compile(r"^(?P<indent>\s*)1\.\.(?P<n>\d+)\s*$")
SPLAT = re.compile(
    r"BUG:|WARNING:|Oops|KASAN:|UBSAN:|kmemleak: \d+ new suspected|"
    r"kmemleak: .*(disabled|Disabling)|"
    r"possible circular locking|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|blocked for more than|"
    r"soft lockup|ODEBUG:|list_add corruption|list_del corruption|"
    r"Kernel panic|kernel BUG at|general protection fault|refcount_t:|"
    r"rcu: INFO: rcu_\w+ (self-)?detected stall|detected stalls on CPUs|"
    r"rcu_\w+ kthread starved|Call Trace:"
)
SKIP = re.compile(r"#\s*SKIP", re.I)
# A KCSAN report names the two racing functions.  Strict mode also
# reports races between two core-kernel functions (hrtimer's lockless
# hrtimer_active(), say); those are listed, and only a report that names
# one of gochan's functions (all kgo_* or gochan_*) fails the run.
KCSAN = re.compile(r"BUG: KCSAN: .*\bin\b(?P<funcs>.*)")
OURS = re.compile(r"\b(kgo|gochan)_\w+")
# Sections that carry data, not TAP: only their exit status counts.
DATA_SECTIONS = ("bench",)


class Suite:
    def __init__(self, label, name):
        self.label = label
        self.name = name
        self.passed = 0
        self.failed = []
        self.skipped = 0
        self.skips = []
        self.oks = []
        self.why = {}
        self.detail = []

    def case(self, ok, desc, why=()):
        if SKIP.search(desc):
            self.skipped += 1
            self.skips.append(desc)
        elif ok:
            self.passed += 1
            self.oks.append(desc)
        else:
            self.failed.append(desc)
            self.why[desc] = list(why)[-MAX_WHY:]

    def cases(self):
        return self.passed + len(self.failed) + self.skipped


def parse_results(label, path):
    suites = []
    announced = []
    done = False
    cur = None
    depth = 0
    suite_line_bad = False
    plan = None
    why = []
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        lines = []
    for raw in lines:
        line = raw.rstrip("\r")
        if line.startswith("gochan-expect: "):
            announced.append(line.split(": ", 1)[1].strip())
            continue
        if line.startswith("gochan-suite: "):
            if cur is not None:
                cur.failed.append("section cut off by the next one")
                suites.append(cur)
            cur = Suite(label, line.split(": ", 1)[1].strip())
            depth = 4 if cur.name.startswith("kunit:") else 0
            why = []
            suite_line_bad = False
            plan = None
            continue
        if line.startswith("gochan-end: ") and cur:
            rc = line.split()[-1]
            if cur.name in DATA_SECTIONS:
                cur.case(rc == "0", f"{cur.name} exited with status {rc}")
                suites.append(cur)
                cur = None
                continue
            if cur.cases() == 0:
                cur.failed.append("no test case ran")
            # 4: KSFT_SKIP.  A program killed by a signal says so even
            # when other failures are listed.
            if rc not in ("0", "4") and (not cur.failed or signalled(rc)):
                cur.failed.append(exit_text(rc))
            if suite_line_bad and not cur.failed:
                cur.failed.append("suite reported failure")
            if plan is not None and plan != cur.cases():
                cur.failed.append(f"plan 1..{plan}, but {cur.cases()} results")
            suites.append(cur)
            cur = None
            continue
        if line.strip() == "gochan-done":
            done = True
            continue
        if cur is None:
            continue
        p = PLAN.match(line)
        if p and len(p.group("indent").expandtabs(4)) == depth:
            # kselftest prints one plan per program; a second one (a
            # harness run twice) adds up.
            plan = (plan or 0) + int(p.group("n"))
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
    return suites, done, announced


def signalled(rc):
    return rc.isdigit() and 128 < int(rc) < 128 + 65


def exit_text(rc):
    """'exit status 139 (killed by SIGSEGV)' for a shell's 128 + N."""
    if not signalled(rc):
        return f"exit status {rc}"
    try:
        name = signal.Signals(int(rc) - 128).name
    except ValueError:
        name = f"signal {int(rc) - 128}"
    return f"exit status {rc} (killed by {name})"


def read_lines(path):
    try:
        return open(path, errors="replace").read().splitlines()
    except OSError:
        return None


def check_vm(label, d, done):
    """The VM itself: results, console, exit status, gochan-done, splats."""
    s = Suite(label, "vm")
    text = read_lines(os.path.join(d, "console.log"))
    results = read_lines(os.path.join(d, "results.log"))
    if not os.path.isdir(d):
        s.case(False, f"no VM directory {d}: the {label} VM never ran")
        return s
    if not results:
        s.case(False, "the VM left no results (it did not boot, or "
                      "its init never ran)")
    if text is None:
        s.case(False, "the VM left no console log")
        text = []
    status = read_lines(os.path.join(d, "status"))
    if status is not None:
        rc = status[0].strip() if status else "?"
        if rc == "0":
            s.case(True, "VM exit status 0")
        else:
            what = "the VM timed out" if rc == "124" else f"VM exit status {rc}"
            s.case(False, what)
    splats, core = [], []
    for line in text:
        if not SPLAT.search(line):
            continue
        k = KCSAN.search(line)
        if k and not OURS.search(k.group("funcs")):
            core.append(line)
        else:
            splats.append(line)
    if core:
        s.detail += [f"{len(core)} KCSAN reports of races between core-kernel "
                     "functions, not gochan's (not counted):"] + core[:10]
    if splats:
        s.case(False, "kernel log has a splat")
        s.detail += splats[:20]
    elif text:
        s.case(True, "kernel log clean")
    if done:
        s.case(True, "guest finished")
    else:
        s.case(False, "guest did not finish (no gochan-done: timeout, "
                      "panic, hang or early exit)")
    if not s.oks or s.failed:
        s.detail += ["--- console tail ---"] + text[-40:]
    retry = read_lines(os.path.join(d, "boot-retry"))
    if retry:
        s.detail += ["booted twice: a splat before /init on the first boot:"]
        s.detail += retry[:10]
    return s


def load_manifest(path, mode):
    """suites[kernel] = [(name, min)], features[kernel], skips[kernel]."""
    suites, features, skips = {}, {}, {}
    for n, raw in enumerate(open(path).read().splitlines(), 1):
        line = raw.split("#", 1)[0].split()
        if not line:
            continue
        kind = line[0]
        if kind not in ("suite", "require", "skip") or len(line) < 4:
            raise SystemExit(f"{path}:{n}: cannot parse: {raw}")
        if line[1] not in (mode, "all"):
            continue
        for k in line[2].split(","):
            if kind == "suite":
                suites.setdefault(k, []).append((line[3], int(line[4])))
            elif kind == "require":
                features.setdefault(k, []).extend(line[3:])
            else:
                skips.setdefault(k, []).append((line[3], " ".join(line[4:])))
    return suites, features, skips


def apply_manifest(label, suites, announced, manifest):
    want, features, skips = manifest
    s = Suite(label, "manifest")
    by_name = {x.name: x for x in suites}
    for name, least in want.get(label, []) + want.get("all", []) * (label != "host"):
        got = by_name.get(name)
        if got is None:
            s.case(False, f"expected suite {name} did not run")
        elif got.cases() < least:
            s.case(False, f"{name}: {got.cases()} cases, at least {least} expected")
        else:
            s.case(True, f"{name}: {got.cases()} cases (at least {least})")
    for name in announced:
        if name not in by_name:
            s.case(False, f"announced suite {name} did not run")
    feats = by_name.get("vm-features")
    have = set()
    if feats:
        have = {d.split("feature: ", 1)[1].strip() for d in feats.oks
                if d.startswith("feature: ")}
    for f in features.get(label, []) + features.get("all", []) * (label != "host"):
        if f in have:
            s.case(True, f"required feature {f} present")
        else:
            s.case(False, f"required feature {f} absent on {label}")
    allowed = skips.get(label, []) + skips.get("all", [])
    for x in suites:
        for desc in x.skips:
            case = SKIP.split(desc)[0].strip()
            if not any(fnmatch.fnmatch(x.name, sp) and fnmatch.fnmatch(case, cp)
                       for sp, cp in allowed):
                why = SKIP.split(desc, 1)[1].strip()
                s.case(False, f"{x.name}: {case}: skip not allowed "
                              f"on {label} ({why})")
    return s if s.cases() else None


def main(argv):
    manifest = None
    mode = "check"
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--manifest":
            manifest = argv.pop(0)
        elif opt == "--mode":
            mode = argv.pop(0)
        else:
            raise SystemExit(f"report.py: unknown option {opt}")
    man = load_manifest(manifest, mode) if manifest else None
    all_suites = []
    for arg in argv:
        label, _, d = arg.partition(":")
        suites, done, announced = parse_results(label,
                                                os.path.join(d, "results.log"))
        all_suites += suites
        if label != "host":
            all_suites.append(check_vm(label, d, done))
        if man:
            m = apply_manifest(label, suites, announced, man)
            if m:
                all_suites.append(m)
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
        for d in s.detail:
            print(f"{'':6}   | {d}")
    if not all_suites:
        nfail += 1
        print("no results at all")
    tail = f", {nskip} skipped" if nskip else ""
    print(f"{npass} passed, {nfail} failed{tail}")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
