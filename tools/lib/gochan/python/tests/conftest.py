# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""pytest for the gochan package, against the real module.

With ``--tap`` (what the test VM passes, with ``-p no:terminal``) every
test's result is printed as a TAP line on standard output, a failure's
report as comments before it, and the plan at the end, so that the
harness counts the cases as it counts a kselftest's.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

_tap = {"n": 0}


def pytest_addoption(parser):
    parser.addoption("--tap", action="store_true",
                     help="print TAP lines for the test VM's harness")
    # -p no:terminal drops the terminal plugin's options, but assertion
    # reports still ask for --verbose.
    try:
        parser.addoption("-v", "--verbose", action="count", default=0,
                         dest="verbose")
    except ValueError:
        pass


def pytest_configure(config):
    _tap["on"] = config.getoption("--tap")
    if _tap["on"]:
        sys.__stdout__.write("TAP version 13\n")


def pytest_runtest_logreport(report):
    if not _tap.get("on"):
        return
    name = report.nodeid.split("::", 1)[-1]
    if report.when == "call" or (report.when == "setup" and
                                 (report.failed or report.skipped)):
        _tap["n"] += 1
        if report.passed:
            line = "ok %d %s" % (_tap["n"], name)
        elif report.skipped:
            line = "ok %d %s # SKIP" % (_tap["n"], name)
        else:
            for text in str(report.longrepr).splitlines()[-40:]:
                sys.__stdout__.write("# %s\n" % text)
            line = "not ok %d %s" % (_tap["n"], name)
        sys.__stdout__.write(line + "\n")
        sys.__stdout__.flush()


def pytest_unconfigure(config):
    if _tap.get("on"):
        sys.__stdout__.write("1..%d\n" % _tap["n"])
        sys.__stdout__.flush()


@pytest.fixture(autouse=True)
def _device():
    if not os.path.exists("/dev/gochan"):
        pytest.skip("/dev/gochan missing: is gochan.ko loaded?")
