#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a VM run spent its time, from the kernel console's timestamps.

Usage: timings.py [--top N] LABEL:VMDIR...

init.sh writes marks into the kernel log: "gochan-vm: phase NAME" and
"gochan-vm: start NAME" when a section begins, "gochan-vm: case NAME:
ok N DESC" when a guest program finishes a case.  KUnit prints its own
"ok N CASE" lines.  For each VM this prints the boot time, each
section's duration, and the N slowest cases, so that a developer can see
what makes "make check" slow (Documentation/testing.rst, "The quick
loop").  It only reports; it never fails a run.
"""

import os
import re
import sys

STAMP = re.compile(r"^\[\s*(\d+\.\d+)\]\s?(.*)$")
MARK = re.compile(r"gochan-vm: (?:phase |start )?(?P<name>\S+(?: start)?)")
CASE = re.compile(r"gochan-vm: case (?P<suite>\S+): (?:not )?ok \d+ (?P<desc>.*)")
KUNIT = re.compile(r"^\s+(?:not )?ok \d+ (?P<desc>\S+)\s*$")
END = re.compile(r"gochan-vm: end ")


def timings(path):
    """(boot seconds, [(section, seconds)], [(seconds, section, case)])."""
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return None
    boot = None
    sections, cases = [], []
    cur, cur_t, last_t, t = None, None, None, 0.0
    for raw in lines:
        m = STAMP.match(raw)
        if not m:
            continue
        t, text = float(m.group(1)), m.group(2)
        c = CASE.search(text)
        if c:
            cases.append((t - last_t, c.group("suite"), c.group("desc")))
            last_t = t
            continue
        k = KUNIT.match(text)
        if k and cur and cur.startswith("kunit"):
            cases.append((t - last_t, "kunit", k.group("desc")))
            last_t = t
            continue
        if END.search(text) or "gochan-vm: " not in text:
            continue
        mk = MARK.search(text)
        if not mk:
            continue
        if boot is None:
            boot = t
        if cur is not None:
            sections.append((cur, t - cur_t))
        cur, cur_t, last_t = mk.group("name"), t, t
    if cur is not None:
        sections.append((cur, t - cur_t))
    return boot, sections, cases


def main(argv):
    top = 10
    if argv[:1] == ["--top"]:
        top = int(argv[1])
        argv = argv[2:]
    for arg in argv:
        label, _, d = arg.partition(":")
        r = timings(os.path.join(d, "console.log"))
        if not r or r[0] is None:
            print(f"{label}: no timing marks in {d}/console.log")
            continue
        boot, sections, cases = r
        total = boot + sum(s for _, s in sections)
        print(f"{label}: {total:.1f} s in the guest, {boot:.1f} s of it booting")
        for name, secs in sections:
            if secs >= 1.0:
                print(f"  {secs:7.1f} s  {name}")
        print(f"  slowest cases:")
        for secs, suite, desc in sorted(cases, reverse=True)[:top]:
            print(f"  {secs:7.1f} s  {suite}: {desc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
