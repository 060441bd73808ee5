# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The gochan package against the real module, as a Python user uses it."""
import asyncio
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

import gochan

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.normpath(os.path.join(HERE, ".."))
# Programs run from the tree find the package as an installed one.
ENV = dict(os.environ, PYTHONPATH=PKG)


def wait_for(pred, what):
    for _ in range(20000):
        if pred():
            return
        time.sleep(0.0005)
    raise AssertionError("never: " + what)


def test_bytes_and_formats():
    with gochan.Chan(4, 2) as ch:
        ch.send(b"abcd")
        assert len(ch) == 1 and ch.cap == 2
        assert ch.recv() == (b"abcd", True)
        with pytest.raises(ValueError):
            ch.send(b"abc")
    with gochan.Chan(fmt="<qd", cap=1) as ch:
        ch.send((7, 0.5))
        assert ch.recv() == ((7, 0.5), True)
    with gochan.Chan(fmt="q", cap=1) as ch:
        ch.send(-3)
        assert ch.recv() == (-3, True)
    with pytest.raises(ValueError):
        gochan.Chan(4, fmt="q")


def test_close_ok_and_range():
    ch = gochan.Chan(fmt="i", cap=8)
    for i in range(5):
        ch.send(i)
    ch.close()
    assert list(ch) == [0, 1, 2, 3, 4]
    assert ch.recv() == (0, False)          # Go's zero value, ok false
    with pytest.raises(BrokenPipeError):
        ch.send(1)
    with pytest.raises(BrokenPipeError):
        ch.close()
    ch.release()


def test_try_and_timeouts():
    ch = gochan.Chan(fmt="q", cap=1)
    with pytest.raises(BlockingIOError):
        ch.try_recv()
    ch.try_send(1)
    with pytest.raises(BlockingIOError):
        ch.try_send(2)
    with pytest.raises(TimeoutError):
        ch.send(2, timeout=0.01)
    assert ch.try_recv() == (1, True)
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        ch.recv(timeout=0.05)
    assert time.monotonic() - t0 >= 0.05


def test_unbuffered_between_threads():
    ch = gochan.Chan(fmt="q")
    got = []
    t = threading.Thread(target=lambda: got.extend(ch))
    t.start()
    for i in range(100):
        ch.send(i)
    ch.close()
    t.join()
    assert got == list(range(100))


def test_between_processes():
    ch = gochan.Chan(fmt="q", autoclose=True)
    pid = os.fork()
    if pid == 0:
        try:
            for i in range(50):
                ch.send(i * i)
        finally:
            os._exit(0)
    # Our own fd may send too: release a receive-only view's peer.
    rx = ch.dup("recv")
    ch.release()
    assert list(rx) == [i * i for i in range(50)]   # autoclose ends it
    assert os.waitpid(pid, 0)[1] == 0
    rx.release()


def test_batches():
    ch = gochan.Chan(fmt="H", cap=16)
    assert ch.send_many(range(10)) == 10
    assert ch.recv_many(4) == [0, 1, 2, 3]
    assert ch.recv_many(100) == [4, 5, 6, 7, 8, 9]
    ch.close()
    assert ch.recv_many(3) == []


def test_select_default_and_fairness():
    a = gochan.Chan(fmt="q", cap=1)
    b = gochan.Chan(fmt="q", cap=1)
    assert gochan.select([a.recv_case(), b.recv_case()], default=True) == \
        (-1, None, False)
    counts = [0, 0]
    rounds = 2000
    for _ in range(rounds):
        a.try_send(1)
        b.try_send(2)
        i, v, ok = gochan.select([a.recv_case(), b.recv_case()])
        assert ok and v == i + 1
        counts[i] += 1
        (b if i == 0 else a).try_recv()
    # Uniform: each side within 6 sigma of half (sigma = sqrt(n)/2).
    assert abs(counts[0] - rounds / 2) < 6 * (rounds ** 0.5) / 2, counts
    i, v, ok = gochan.select(None, a.send_case(5))
    assert (i, v, ok) == (1, None, True)
    a.close()
    assert gochan.select(a.recv_case()) == (0, 5, True)
    assert gochan.select(a.recv_case()) == (0, 0, False)
    with pytest.raises(BrokenPipeError):
        gochan.select(a.send_case(1))
    with pytest.raises(TimeoutError):
        gochan.select(b.recv_case(), timeout=0.01)


def test_directions_and_sizes():
    ch = gochan.Chan(8, 1)
    tx = ch.dup("send")
    rx = ch.dup("recv")
    with pytest.raises(OSError) as e:
        rx.send(bytes(8))
    assert e.value.errno == 9                      # EBADF
    tx.send(bytes(8))
    assert rx.recv() == (bytes(8), True)
    # A wrapped fd is refused a format of another size.
    fd = os.dup(ch.fileno())
    with pytest.raises(ValueError):
        gochan.Chan.from_fd(fd, fmt="i")
    wrapped = gochan.Chan.from_fd(fd, fmt="q")
    wrapped.send(5)
    assert ch.recv() == (b"\x05" + bytes(7), True)


def test_timers():
    t = gochan.after(0.01)
    when, ok = t.recv()
    assert ok and when > 0
    t = gochan.after(3600)
    assert t.stop() is True
    assert t.reset(0.001) is False
    assert t.recv()[1]
    tick = gochan.tick(0.002)
    assert [tick.recv()[1] for _ in range(3)] == [True] * 3
    assert tick.stop() is True


def test_asyncio():
    ch = gochan.AsyncChan(fmt="q", cap=4)
    blocking = ch.sync()

    async def main():
        threading.Timer(0.02, lambda: blocking.send(11)).start()
        v, ok = await ch.recv()             # through the fd's readiness
        await ch.send(12)
        assert blocking.recv() == (12, True)
        for i in range(3):
            blocking.send(i)
        blocking.close()
        return v, [x async for x in ch]

    assert asyncio.run(main()) == (11, [0, 1, 2])
    # An unbuffered channel: ready while the other side waits in the
    # kernel, here a thread's blocking send.
    un = gochan.Chan(fmt="q")

    async def rendezvous():
        threading.Thread(target=lambda: un.send(5)).start()
        return await un.aio().recv()

    assert asyncio.run(rendezvous()) == (5, True)


def test_fd_passing():
    """A channel fd over a unix socket (socket.send_fds), wrapped with
    Chan.from_fd in the receiving process."""
    ch = gochan.Chan(fmt="i", cap=2)
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            _, fds, _, _ = socket.recv_fds(b, 16, 1)
            peer = gochan.Chan.from_fd(fds[0], fmt="i")
            ok = peer.recv() == (123, True)
            peer.send(456)
        finally:
            os._exit(0 if ok else 1)
    socket.send_fds(a, [b"chan"], [ch.fileno()])
    ch.send(123)
    assert os.waitpid(pid, 0)[1] == 0
    assert ch.recv() == (456, True)
    a.close()
    b.close()


def _mp_worker(jobs, results):
    for j in jobs:
        results.send(j + 1000)


def test_multiprocessing():
    """multiprocessing's fork start method: the Chan objects go to the
    workers with the process."""
    jobs = gochan.Chan(fmt="q", cap=8)
    results = gochan.Chan(fmt="q", cap=8)
    mp = multiprocessing.get_context("fork")
    procs = [mp.Process(target=_mp_worker, args=(jobs, results))
             for _ in range(2)]
    for p in procs:
        p.start()
    for j in range(6):
        jobs.send(j)
    jobs.close()
    got = sorted(results.recv()[0] for _ in range(6))
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert got == [j + 1000 for j in range(6)]


def test_signal_handler_that_returns_does_not_interrupt():
    ch = gochan.Chan(fmt="q")
    fired = []
    old = signal.signal(signal.SIGUSR1, lambda *a: fired.append(1))
    try:
        def later():
            wait_for(lambda: ch.info()["receivers"] == 1, "a receiver")
            os.kill(os.getpid(), signal.SIGUSR1)
            wait_for(lambda: fired, "the handler")
            wait_for(lambda: ch.info()["receivers"] == 1, "a receiver again")
            ch.send(99)
        t = threading.Thread(target=later)
        t.start()
        assert ch.recv() == (99, True)     # PEP 475: retried, not lost
        t.join()
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert fired


def test_keyboard_interrupt_in_blocked_recv():
    """Ctrl-C raises KeyboardInterrupt out of a blocked recv, nothing
    moved: run in a child interpreter that reports what it saw."""
    code = (
        "import signal, sys; sys.path.insert(0, %r)\n"
        "import gochan\n"
        # A shell's background job inherits SIGINT ignored: as in a
        # terminal, let Ctrl-C raise KeyboardInterrupt.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "ch = gochan.Chan(fmt='q')\n"
        "print(ch.fileno(), flush=True)\n"
        "try:\n"
        "    ch.recv()\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', len(ch), flush=True)\n"
    ) % os.path.join(HERE, "..")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         text=True)
    fd = int(p.stdout.readline())
    # Its channel, through /proc: wait until it sleeps in the receive.
    path = "/proc/%d/fdinfo/%d" % (p.pid, fd)

    def blocked():
        with open(path) as f:
            return "blocked_receivers:\t1" in f.read()
    try:
        wait_for(blocked, "the child blocked in recv")
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=60)
    finally:
        p.kill()
        p.wait()
    assert out.strip() == "interrupted 0"
    assert p.returncode == 0


def test_device_fd_reopened():
    gochan.Chan(1, 1).release()
    os.close(gochan._dev_fd)        # as os.closerange() would
    null = os.open("/dev/null", os.O_RDONLY)
    try:
        with gochan.Chan(1, 1) as ch:
            ch.send(b"x")
            assert ch.recv() == (b"x", True)
    finally:
        os.close(null)


@pytest.mark.parametrize("name", ["worker_pool.py", "pipeline.py",
                                  "hello.py"])
def test_examples(name):
    r = subprocess.run([sys.executable, os.path.join(PKG, "examples", name)],
                       capture_output=True, text=True, timeout=300, env=ENV)
    assert r.returncode == 0, r.stdout + r.stderr
