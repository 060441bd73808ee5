# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Go channels between processes, over Linux's /dev/gochan.

A :class:`Chan` is a channel file descriptor of the gochan kernel module:
it carries values of a fixed size, as bytes or as a :mod:`struct` format,
between threads and processes (``os.fork``, or the fd passed over a unix
socket).  The calls are Go's::

    ch = gochan.Chan(fmt="q", cap=4)     # make(chan int64, 4)
    ch.send(42)                          # ch <- 42
    v, ok = ch.recv()                    # v, ok := <-ch
    ch.close()                           # close(ch)
    for v in ch:                         # for v := range ch
        ...
    i, v, ok = gochan.select([ch.recv_case(), other.send_case(7)])

    ach = gochan.AsyncChan(fmt="q", cap=4)   # the same, for asyncio
    v, ok = await ach.recv()

Errors are Python's own: ``BrokenPipeError`` for a send on a closed
channel (Go panics), ``BlockingIOError`` for a ``try_`` call that would
wait, ``TimeoutError`` when a timeout passes, ``OSError`` otherwise.
A signal whose handler raises (Ctrl-C's ``KeyboardInterrupt``) ends a
blocked call with that exception and nothing moved; any other signal
lets the call go on with the same deadline (PEP 475).

The module speaks the ioctls of uapi/linux/gochan.h directly (no C
library is needed).
"""
import asyncio
import ctypes
import errno
import fcntl
import os
import struct as _struct
import threading
import time

from . import _uapi as U

__all__ = ["Chan", "AsyncChan", "select", "after", "tick", "ticker",
           "DEV_PATH", "features"]

DEV_PATH = "/dev/gochan"

_dev_lock = threading.Lock()
_dev_fd = -1
_dev_rdev = None


def _dev(stale=-1):
    """The process's /dev/gochan fd, opened again if @stale failed."""
    global _dev_fd, _dev_rdev
    with _dev_lock:
        if _dev_fd >= 0 and _dev_fd != stale:
            return _dev_fd
        fd = os.open(DEV_PATH, os.O_RDWR | os.O_CLOEXEC)
        _dev_rdev = os.fstat(fd).st_rdev
        _dev_fd = fd
        return fd


def _dev_is(fd):
    try:
        return os.fstat(fd).st_rdev == _dev_rdev
    except OSError:
        return False


def _ioctl(fd, req, buf):
    """ioctl(2) on @buf (a bytearray, updated in place).

    An EINTR whose signal handler did not raise is retried (PEP 475):
    nothing moved, and the deadline inside @buf is absolute.
    """
    while True:
        try:
            return fcntl.ioctl(fd, req, buf, True)
        except InterruptedError:
            continue


def _dev_ioctl(req, buf):
    fd = _dev()
    try:
        return _ioctl(fd, req, buf)
    except OSError as e:
        # The program closed our fd (os.closerange()): open it again.
        if e.errno not in (errno.EBADF, errno.ENOTTY) or _dev_is(fd):
            raise
        return _ioctl(_dev(fd), req, buf)


_features = None


def features():
    """The module's GOCHAN_FEATURE_* bits (an int)."""
    global _features
    if _features is None:
        buf = bytearray(U.API.pack(U.API_VERSION, 0, 0, 0, 0))
        _dev_ioctl(U.IOC_API, buf)
        _features = U.API.unpack(buf)[2]
    return _features


def _deadline(timeout):
    """A timeout in seconds (None: for ever) as the uapi's deadline."""
    if timeout is None:
        return U.FOREVER
    return max(1, time.monotonic_ns() + int(timeout * 1e9))


def _raise(err):
    raise OSError(err, os.strerror(err))


class Chan:
    """A Go channel: ``make(chan T, cap)``.

    ``Chan(size, cap)`` carries values of ``size`` bytes (``bytes``);
    ``Chan(fmt="<fmt>", cap=cap)`` carries tuples packed with that
    :mod:`struct` format (a one-item format carries the item itself).
    ``autoclose=True``: the channel is Go-closed when the last fd that
    may send is released, so that a dying producer ends its consumers'
    loops.  Every method may be called from any thread.

    ``close()`` is Go's close.  The file descriptor itself is released by
    ``release()``, by leaving a ``with`` block, or when the object is
    garbage-collected.
    """

    def __init__(self, size=None, cap=0, *, fmt=None, autoclose=False,
                 nonblock=False):
        if fmt is not None:
            fsize = _struct.calcsize(fmt)
            if size is not None and size != fsize:
                raise ValueError("size %d is not the format's %d"
                                 % (size, fsize))
            size = fsize
        if size is None or size < 0 or cap < 0:
            raise ValueError("a channel needs a size >= 0 and a cap >= 0")
        flags = U.O_CLOEXEC
        if autoclose:
            flags |= U.MAKE_AUTOCLOSE
        if nonblock:
            flags |= U.O_NONBLOCK
        buf = bytearray(U.MAKE.pack(size, cap, flags, 0, 0, 0))
        self._fd = _dev_ioctl(U.IOC_MAKE, buf)
        self._owns = True
        self._setup(size, fmt)

    def _setup(self, size, fmt):
        self.size = size
        self._fmt = _struct.Struct(fmt) if fmt is not None else None
        self._single = (self._fmt is not None and
                        len(self._fmt.unpack(bytes(size))) == 1)
        self._sized = bool(features() & U.FEATURE_SIZED)

    @classmethod
    def from_fd(cls, fd, fmt=None):
        """Wrap a channel fd (from a fork, a unix socket...): the object
        owns it.  A ``fmt`` whose size is not the channel's is refused."""
        ch = cls.__new__(cls)
        ch._fd = fd
        ch._owns = True
        info = ch.info()
        if fmt is not None and _struct.calcsize(fmt) != info["elem_size"]:
            ch._fd = -1
            raise ValueError("format %r is %d bytes, the channel's values %d"
                             % (fmt, _struct.calcsize(fmt), info["elem_size"]))
        ch._setup(info["elem_size"], fmt)
        return ch

    # ---- the fd -------------------------------------------------------

    def fileno(self):
        return self._fd

    def release(self):
        """Release the file descriptor (not Go's close).  A view from
        :meth:`aio` or :meth:`sync` leaves it to its owner."""
        fd, self._fd = getattr(self, "_fd", -1), -1
        if fd >= 0 and getattr(self, "_owns", False):
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()

    def __del__(self):
        try:
            self.release()
        except OSError:
            pass

    def dup(self, direction):
        """A new Chan on the same channel that may only ``"send"`` or
        ``"recv"``: Go's ``chan<-`` and ``<-chan``."""
        d = {"send": U.DIR_SEND, "recv": U.DIR_RECV}[direction]
        buf = bytearray(U.DUP.pack(d, U.O_CLOEXEC, 0))
        return self._view(type(self), _ioctl(self._fd, U.IOC_DUP, buf), True)

    def _view(self, cls, fd, owns):
        ch = cls.__new__(cls)
        ch._fd, ch._owns = fd, owns
        ch.size, ch._fmt, ch._sized = self.size, self._fmt, self._sized
        ch._single = self._single
        return ch

    # ---- values ---------------------------------------------------------

    def _pack(self, value):
        if self._fmt is None:
            b = bytes(value)
            if len(b) != self.size:
                raise ValueError("a value of this channel is %d bytes, not %d"
                                 % (self.size, len(b)))
            return b
        if self._single:
            return self._fmt.pack(value)
        return self._fmt.pack(*value)

    def _unpack(self, raw):
        if self._fmt is None:
            return raw
        v = self._fmt.unpack(raw)
        return v[0] if self._single else v

    def _zero(self):
        return self._unpack(bytes(self.size))

    def _xfer(self, req, mem, count, flags, timeout):
        if self._sized:
            flags |= U.XFER_SIZED
        x = bytearray(U.XFER.pack(ctypes.addressof(mem), count, flags,
                                  _deadline(timeout), 0, 0,
                                  self.size if self._sized else 0, 0))
        _ioctl(self._fd, req, x)
        _, _, _, _, done, ok, _, _ = U.XFER.unpack(x)
        return done, ok

    def send(self, value, timeout=None):
        """Go's ``ch <- value``; ``TimeoutError`` after ``timeout`` s."""
        mem = ctypes.create_string_buffer(self._pack(value), self.size or 1)
        self._xfer(U.IOC_SEND, mem, 1, 0, timeout)

    def recv(self, timeout=None):
        """Go's ``v, ok := <-ch``: ``(value, True)``, or the zero value
        and ``False`` once the channel is closed and drained."""
        mem = ctypes.create_string_buffer(self.size or 1)
        done, ok = self._xfer(U.IOC_RECV, mem, 1, 0, timeout)
        if not done:
            return self._zero(), False
        return self._unpack(mem.raw[:self.size]), True

    def try_send(self, value):
        """Send if it would not wait; else ``BlockingIOError``."""
        mem = ctypes.create_string_buffer(self._pack(value), self.size or 1)
        self._xfer(U.IOC_SEND, mem, 1, U.XFER_NONBLOCK, None)

    def try_recv(self):
        """Receive if it would not wait; else ``BlockingIOError``."""
        mem = ctypes.create_string_buffer(self.size or 1)
        done, ok = self._xfer(U.IOC_RECV, mem, 1, U.XFER_NONBLOCK, None)
        if not done:
            return self._zero(), False
        return self._unpack(mem.raw[:self.size]), True

    def send_many(self, values, wait_all=False):
        """Send a batch in one call; returns how many went (all of them
        with ``wait_all``)."""
        raw = b"".join(self._pack(v) for v in values)
        n = len(raw) // self.size if self.size else len(values)
        if not n:
            return 0
        mem = ctypes.create_string_buffer(raw, len(raw) or 1)
        done, _ = self._xfer(U.IOC_SEND, mem, n,
                             U.XFER_WAITALL if wait_all else 0, None)
        return done

    def recv_many(self, n):
        """Receive up to ``n`` values in one call (waits for the first);
        an empty list once the channel is closed and drained."""
        mem = ctypes.create_string_buffer(max(1, n * self.size))
        done, _ = self._xfer(U.IOC_RECV, mem, n, 0, None)
        raw = mem.raw
        return [self._unpack(raw[i * self.size:(i + 1) * self.size])
                for i in range(done)]

    def close(self):
        """Go's ``close(ch)``: ``BrokenPipeError`` if already closed."""
        _ioctl(self._fd, U.IOC_CLOSE, bytearray(0))

    def __iter__(self):
        """Go's ``for v := range ch``."""
        while True:
            v, ok = self.recv()
            if not ok:
                return
            yield v

    # ---- state ------------------------------------------------------------

    def info(self):
        buf = bytearray(U.INFO.size)
        _ioctl(self._fd, U.IOC_INFO, buf)
        f = U.INFO.unpack(buf)
        return {"elem_size": f[0], "cap": f[1], "len": f[2],
                "closed": bool(f[3] & U.INFO_CLOSED),
                "timer": bool(f[3] & U.INFO_TIMER), "dir": f[4],
                "senders": f[5], "receivers": f[6], "id": f[8]}

    def __len__(self):
        """Go's ``len(ch)``."""
        return self.info()["len"]

    @property
    def cap(self):
        """Go's ``cap(ch)``."""
        return self.info()["cap"]

    # ---- timers -----------------------------------------------------------

    def _timer_set(self, ns, flags):
        buf = bytearray(U.TIMER_SET.pack(ns, flags, 0, 0))
        _ioctl(self._fd, U.IOC_TIMER_SET, buf)
        return bool(U.TIMER_SET.unpack(buf)[2])

    def stop(self):
        """A timer's Stop (Go 1.23): True if it was running or its
        unread value was dropped."""
        return self._timer_set(0, U.TIMER_STOP)

    def reset(self, seconds):
        """A timer's Reset (Go 1.23): as :meth:`stop`."""
        return self._timer_set(int(seconds * 1e9), 0)

    # ---- select and asyncio -------------------------------------------------

    def recv_case(self):
        """A receive case for :func:`select`."""
        return (U.DIR_RECV, self, None)

    def send_case(self, value):
        """A send case for :func:`select`."""
        return (U.DIR_SEND, self, value)

    async def _wait(self, writer):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def ready():
            if not fut.done():
                fut.set_result(None)
        if writer:
            loop.add_writer(self._fd, ready)
        else:
            loop.add_reader(self._fd, ready)
        try:
            await fut
        finally:
            if writer:
                loop.remove_writer(self._fd)
            else:
                loop.remove_reader(self._fd)

    async def arecv(self):
        """``await ch.arecv()``: receive through the fd's readiness."""
        while True:
            try:
                return self.try_recv()
            except BlockingIOError:
                await self._wait(False)

    async def asend(self, value):
        """``await ch.asend(v)``: send through the fd's readiness."""
        while True:
            try:
                return self.try_send(value)
            except BlockingIOError:
                await self._wait(True)

    def aio(self):
        """An :class:`AsyncChan` view of this channel (the same fd, which
        this object keeps owning)."""
        return self._view(AsyncChan, self._fd, False)


class AsyncChan(Chan):
    """A channel for asyncio: ``send`` and ``recv`` are coroutines that
    wait for the fd's readiness, ``await ch.recv()``, and ``async for v in
    ch`` is Go's range.  Everything else is :class:`Chan`'s; ``sync()`` is
    a blocking view for threads and other processes.  (An unbuffered
    channel is ready for a receive while a sender waits in the kernel,
    and for a send while a receiver does, as in Go.)"""

    async def send(self, value):
        return await self.asend(value)

    async def recv(self):
        return await self.arecv()

    def __iter__(self):
        raise TypeError("an AsyncChan is iterated with async for")

    def __aiter__(self):
        return self

    async def __anext__(self):
        v, ok = await self.arecv()
        if not ok:
            raise StopAsyncIteration
        return v

    def sync(self):
        """A blocking :class:`Chan` view of this channel."""
        return self._view(Chan, self._fd, False)


def select(*cases, default=False, timeout=None, biased=False):
    """Go's ``select``: ``(index, value, ok)`` of the one case done.

    ``select([c1, c2, ...])`` or ``select(c1, c2, ...)``.  Cases come from
    :meth:`Chan.recv_case` and :meth:`Chan.send_case`;
    ``None`` is a nil channel's case (never ready).  Among the ready
    cases one is chosen uniformly at random (the first with ``biased``).
    With ``default=True`` a select that finds none ready returns index
    -1 (Go's ``default``).  ``TimeoutError`` after ``timeout`` seconds.
    A send case on a closed channel raises ``BrokenPipeError``.
    """
    if len(cases) == 1 and isinstance(cases[0], list):
        cases = cases[0]
    n = len(cases)
    if n > U.SELECT_MAX:
        raise ValueError("at most %d cases" % U.SELECT_MAX)
    arr = ctypes.create_string_buffer(max(1, n * U.CASE.size))
    sizes = (ctypes.c_uint32 * max(1, n))()
    bufs = []
    sized = bool(features() & U.FEATURE_SIZED)
    for i, c in enumerate(cases):
        if c is None:
            bufs.append(None)
            U.CASE.pack_into(arr, i * U.CASE.size, -1, U.DIR_RECV, 0, 0, 0)
            continue
        d, ch, value = c
        if d == U.DIR_SEND:
            mem = ctypes.create_string_buffer(ch._pack(value), ch.size or 1)
        else:
            mem = ctypes.create_string_buffer(ch.size or 1)
        bufs.append(mem)
        sizes[i] = ch.size
        U.CASE.pack_into(arr, i * U.CASE.size, ch.fileno(), d,
                         ctypes.addressof(mem), 0, 0)
    flags = (U.SELECT_NONBLOCK if default else 0) | \
        (U.SELECT_BIASED if biased else 0)
    sel = bytearray(U.SELECT.pack(ctypes.addressof(arr), n, flags,
                                  _deadline(timeout), 0, 0,
                                  ctypes.addressof(sizes) if sized else 0))
    try:
        _dev_ioctl(U.IOC_SELECT, sel)
    except BlockingIOError:
        if default:
            return -1, None, False
        raise
    idx = U.SELECT.unpack(sel)[4]
    _, d, _, ok, err = U.CASE.unpack_from(arr, idx * U.CASE.size)
    if err:
        _raise(-err)
    ch = cases[idx][1]
    if d == U.DIR_SEND:
        return idx, None, True
    if not ok:
        return idx, ch._zero(), False
    return idx, ch._unpack(bufs[idx].raw[:ch.size]), True


def _timer(seconds, flags):
    buf = bytearray(U.TIMER.pack(int(seconds * 1e9), flags | U.O_CLOEXEC,
                                 0, 0))
    ch = Chan.__new__(Chan)
    ch._fd = _dev_ioctl(U.IOC_TIMER, buf)
    ch._owns = True
    ch._setup(8, "q")
    return ch


def after(seconds):
    """Go's ``time.After``: a channel that receives the time (ns, the
    monotonic clock) once, after ``seconds``."""
    return _timer(seconds, 0)


def tick(seconds):
    """Go's ``time.Tick``: the time every ``seconds``; missed ticks are
    dropped.  Its ``stop()`` and ``reset()`` are a Ticker's."""
    return _timer(seconds, U.TIMER_TICKER)


ticker = tick
