#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""pipeline: Go's three-stage pipeline, one process per stage.

    gen(nums...) -> sq(in) -> sq(in) -> main prints

Each stage closes its output when its input is closed and drained, so
the end of the numbers flows down the pipeline over unbuffered
channels.  Exit status 0 when main gets 1, 16, 81, ..., 10^4 in order.
"""
import os
import sys

import gochan

N = 10


def stage(fn):
    pid = os.fork()
    if pid == 0:
        try:
            fn()
        finally:
            os._exit(0)
    return pid


def main():
    c1, c2, c3 = (gochan.Chan(fmt="q") for _ in range(3))

    def gen():
        for v in range(1, N + 1):
            c1.send(v)
        c1.close()

    def sq(inp, out):
        for v in inp:
            out.send(v * v)
        out.close()

    pids = [stage(gen), stage(lambda: sq(c1, c2)), stage(lambda: sq(c2, c3))]
    got = list(c3)
    failed = sum(os.waitpid(pid, 0)[1] != 0 for pid in pids)
    print("pipeline: %d values through 3 processes, last %d"
          % (len(got), got[-1] if got else 0))
    return 0 if got == [n ** 4 for n in range(1, N + 1)] and not failed \
        else 1


if __name__ == "__main__":
    sys.exit(main())
