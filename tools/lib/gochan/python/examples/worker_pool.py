#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""worker_pool: Go's worker pool, one process per worker.

    jobs := make(chan int, 100); results := make(chan int, 100)
    for w := 1; w <= 3; w++ { go worker(jobs, results) }
    for j := 1; j <= 9; j++ { jobs <- j }; close(jobs)

Each worker squares the jobs it takes until jobs is closed.  Exit
status 0 when the nine squares come back, each once.
"""
import os
import sys

import gochan

WORKERS, JOBS = 3, 9


def worker(jobs, results):
    for j in jobs:                  # for j := range jobs
        results.send(j * j)
    os._exit(0)


def main():
    jobs = gochan.Chan(fmt="q", cap=100)
    results = gochan.Chan(fmt="q", cap=100)
    pids = []
    for _ in range(WORKERS):
        pid = os.fork()
        if pid == 0:
            worker(jobs, results)
        pids.append(pid)
    for j in range(1, JOBS + 1):
        jobs.send(j)
    jobs.close()
    got = sorted(results.recv()[0] for _ in range(JOBS))
    failed = sum(os.waitpid(pid, 0)[1] != 0 for pid in pids)
    print("worker_pool: %d results from %d worker processes"
          % (len(got), WORKERS))
    return 0 if got == [j * j for j in range(1, JOBS + 1)] and not failed \
        else 1


if __name__ == "__main__":
    sys.exit(main())
