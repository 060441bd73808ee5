#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""hello: a Go channel between two Python processes."""
import os

import gochan

ch = gochan.Chan(fmt="q")           # make(chan int64)
if os.fork() == 0:
    ch.send(42)                     # ch <- 42
    os._exit(0)
v, ok = ch.recv()                   # v, ok := <-ch
os.wait()
print("hello: received", v)
raise SystemExit(0 if (v, ok) == (42, True) else 1)
