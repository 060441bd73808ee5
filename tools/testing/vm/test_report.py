#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side test of report.py's rules, on made-up logs.

Each case builds the directories of a run (results.log, console.log,
status) with one fault planted, runs report.py on them with a small
manifest, and checks the exit status and that the summary says where.
Run by "make check" (host suite "report"); prints TAP.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "report.py")

MANIFEST = """\
suite   check all    vm-features 2
suite   check stock  selftest:gochan_dev_test 2
suite   check stock  vm-health 1
require check stock  nproc=2
skip    check stock  vm-health kmemleak*
skip    check all    vm-features *
"""

CONSOLE = "[    0.000000] Linux version 6.1\n[    1.0] Run /init as init process\n"


def results(dev_test=True, dev_rc=0, dev_body=None, done=True,
            kmemleak="ok 1 kmemleak: no leaks # SKIP kernel without kmemleak",
            plan=None, features=("feature: nproc=2",)):
    out = ["gochan-expect: vm-features", "gochan-suite: vm-features",
           "TAP version 13"]
    out += [f"ok {i + 1} {f}" for i, f in enumerate(features)]
    out += [f"ok {len(features) + 1} feature: kmemleak # SKIP absent",
            f"1..{len(features) + 1}", "gochan-end: vm-features 0"]
    if dev_test:
        out += ["gochan-suite: selftest:gochan_dev_test", "TAP version 13"]
        out += dev_body if dev_body is not None else [
            f"1..{plan or 2}", "ok 1 dev.open", "ok 2 dev.api"]
        out += [f"gochan-end: selftest:gochan_dev_test {dev_rc}"]
    out += ["gochan-suite: vm-health", "TAP version 13", kmemleak,
            "ok 2 kernel log: no splat", "1..2", "gochan-end: vm-health 0"]
    if done:
        out.append("gochan-done")
    return "\n".join(out) + "\n"


def run_case(name, expect_fail, says, files, manifest=MANIFEST):
    with tempfile.TemporaryDirectory() as t:
        man = os.path.join(t, "manifest")
        with open(man, "w") as f:
            f.write(manifest)
        vm = os.path.join(t, "vm-stock")
        if files is not None:
            os.makedirs(vm)
            for fn, text in files.items():
                with open(os.path.join(vm, fn), "w") as f:
                    f.write(text)
        p = subprocess.run([sys.executable, REPORT, "--manifest", man,
                            "--mode", "check", f"stock:{vm}"],
                           capture_output=True, text=True)
        out = p.stdout + p.stderr
        ok = (p.returncode != 0) == expect_fail and says in out
        ok = ok and out.rstrip().splitlines()[-1].count("passed") == 1
        return ok, out


def main():
    good = {"results.log": results(), "console.log": CONSOLE, "status": "0\n"}
    cases = [
        ("a clean run passes", False, "0 failed", dict(good)),
        ("a VM that never ran fails", True, "the stock VM never ran", None),
        ("a VM that left no results fails", True, "left no results",
         dict(good, **{"results.log": ""})),
        ("a VM that exited before gochan-done fails", True,
         "guest did not finish", dict(good, **{"results.log": results(done=False)})),
        ("a VM that timed out fails", True, "the VM timed out",
         dict(good, status="124\n")),
        ("a missing console log fails", True, "no console log",
         {"results.log": results(), "status": "0\n"}),
        ("a deleted selftest binary fails", True,
         "expected suite selftest:gochan_dev_test did not run",
         dict(good, **{"results.log": results(dev_test=False)})),
        ("a program killed by SIGSEGV before printing fails", True,
         "exit status 139 (killed by SIGSEGV)", dict(good, **{"results.log": results(
             dev_body=[], dev_rc=139)})),
        ("a plan that disagrees with the results fails", True,
         "plan 1..3, but 2 results", dict(good, **{"results.log": results(plan=3)})),
        ("a fake RCU stall in the console fails", True, "kernel log has a splat",
         dict(good, **{"console.log": CONSOLE +
                       "[   60.1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"})),
        ("kernel BUG at, in the console, fails", True, "kernel log has a splat",
         dict(good, **{"console.log": CONSOLE + "[ 9.9] kernel BUG at mm/slub.c:1\n"})),
        ("a refcount_t warning in the console fails", True, "kernel log has a splat",
         dict(good, **{"console.log": CONSOLE +
                       "[ 9.9] refcount_t: underflow; use-after-free.\n"})),
        ("kmemleak disabling itself fails", True, "kernel log has a splat",
         dict(good, **{"console.log": CONSOLE +
                       "[ 9.9] kmemleak: Kernel memory leak detector disabled\n"})),
        ("an unwritable kmemleak scan fails", True, "kmemleak: no leaks",
         dict(good, **{"results.log": results(
             kmemleak="not ok 1 kmemleak: no leaks after unload")})),
        ("a skip the manifest does not allow fails", True, "skip not allowed",
         dict(good, **{"results.log": results(dev_body=[
             "1..2", "ok 1 dev.open", "ok 2 dev.api # SKIP not here"])})),
        ("a KCSAN report naming a gochan function fails", True,
         "kernel log has a splat",
         dict(good, **{"console.log": CONSOLE +
                       "[ 9.9] BUG: KCSAN: data-race in kgo_chan_close / kgo_try_recv\n"})),
        ("a KCSAN report between two core-kernel functions is listed, not failed",
         False, "not gochan's",
         dict(good, **{"console.log": CONSOLE +
                       "[ 9.9] BUG: KCSAN: data-race in __hrtimer_run_queues / hrtimer_active\n"})),
        ("a required feature that is absent fails", True,
         "required feature nproc=2 absent",
         dict(good, **{"results.log": results(features=("feature: nproc=1",))})),
    ]
    print("TAP version 13")
    bad = 0
    for i, (name, fail, says, files) in enumerate(cases, 1):
        ok, out = run_case(name, fail, says, files)
        if not ok:
            bad += 1
            for line in out.splitlines():
                print(f"# {line}")
        print(f"{'ok' if ok else 'not ok'} {i} {name}")
    print(f"1..{len(cases)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
