#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""check_uapi.py: gochan/_uapi.py against uapi/linux/gochan.h, on the
host (it needs a C compiler): every ioctl number, flag and structure
size the package spells out must be the header's.  Exit status 0 when
they all agree."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(HERE, ".."))

from gochan import _uapi as U  # noqa: E402

NAMES = {
    "API_VERSION": "GOCHAN_API_VERSION", "FOREVER": "GOCHAN_FOREVER",
    "FEATURE_TIMER_SET": "GOCHAN_FEATURE_TIMER_SET",
    "FEATURE_SIZED": "GOCHAN_FEATURE_SIZED",
    "FEATURE_RW": "GOCHAN_FEATURE_RW",
    "O_CLOEXEC": "GOCHAN_O_CLOEXEC", "O_NONBLOCK": "GOCHAN_O_NONBLOCK",
    "MAKE_AUTOCLOSE": "GOCHAN_MAKE_AUTOCLOSE",
    "XFER_NONBLOCK": "GOCHAN_XFER_NONBLOCK",
    "XFER_WAITALL": "GOCHAN_XFER_WAITALL", "XFER_SIZED": "GOCHAN_XFER_SIZED",
    "DIR_SEND": "GOCHAN_DIR_SEND", "DIR_RECV": "GOCHAN_DIR_RECV",
    "SELECT_NONBLOCK": "GOCHAN_SELECT_NONBLOCK",
    "SELECT_BIASED": "GOCHAN_SELECT_BIASED",
    "TIMER_TICKER": "GOCHAN_TIMER_TICKER", "TIMER_STOP": "GOCHAN_TIMER_STOP",
    "INFO_CLOSED": "GOCHAN_INFO_CLOSED",
    "INFO_AUTOCLOSE": "GOCHAN_INFO_AUTOCLOSE",
    "INFO_TIMER": "GOCHAN_INFO_TIMER", "BATCH_MAX": "GOCHAN_BATCH_MAX",
    "SELECT_MAX": "GOCHAN_SELECT_MAX",
    "IOC_API": "GOCHAN_IOC_API", "IOC_MAKE": "GOCHAN_IOC_MAKE",
    "IOC_SELECT": "GOCHAN_IOC_SELECT", "IOC_TIMER": "GOCHAN_IOC_TIMER",
    "IOC_SEND": "GOCHAN_IOC_SEND", "IOC_RECV": "GOCHAN_IOC_RECV",
    "IOC_CLOSE": "GOCHAN_IOC_CLOSE", "IOC_INFO": "GOCHAN_IOC_INFO",
    "IOC_DUP": "GOCHAN_IOC_DUP", "IOC_TIMER_SET": "GOCHAN_IOC_TIMER_SET",
}
STRUCTS = {"API": "gochan_api", "MAKE": "gochan_make", "XFER": "gochan_xfer",
           "CASE": "gochan_case", "SELECT": "gochan_select",
           "TIMER": "gochan_timer", "TIMER_SET": "gochan_timer_set",
           "DUP": "gochan_dup", "INFO": "gochan_info"}


def main():
    lines = ['#include <stdio.h>', '#include <linux/gochan.h>',
             'int main(void) {']
    for py, c in NAMES.items():
        lines.append('printf("%s %%llu\\n", (unsigned long long)(%s));'
                     % (py, c))
    for py, c in STRUCTS.items():
        lines.append('printf("%s %%zu\\n", sizeof(struct %s));' % (py, c))
    lines.append("return 0; }")
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "u.c"), os.path.join(d, "u")
        with open(src, "w") as f:
            f.write("\n".join(lines))
        subprocess.run(["cc", "-I", os.path.join(TOP, "uapi"), "-o", exe,
                        src], check=True)
        out = subprocess.run([exe], capture_output=True, text=True,
                             check=True).stdout
    bad = 0
    for line in out.splitlines():
        name, value = line.split()
        mine = getattr(U, name)
        mine = mine.size if name in STRUCTS else mine
        if mine != int(value):
            print("%s: %s in _uapi.py, %s in the header" % (name, mine, value))
            bad += 1
    print("%d names checked, %d differ" % (len(NAMES) + len(STRUCTS), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
