# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The /dev/gochan ioctls and structures of uapi/linux/gochan.h.

Kept in step with the C header by tests/test_uapi.py, which compares
every number and size here with the header's.
"""
import struct

API_VERSION = 2
FOREVER = 0

FEATURE_TIMER_SET = 1 << 0
FEATURE_SIZED = 1 << 1
FEATURE_RW = 1 << 2

O_CLOEXEC = 0o2000000
O_NONBLOCK = 0o4000

MAKE_AUTOCLOSE = 1 << 0
XFER_NONBLOCK = 1 << 0
XFER_WAITALL = 1 << 1
XFER_SIZED = 1 << 2
DIR_SEND = 1 << 0
DIR_RECV = 1 << 1
SELECT_NONBLOCK = 1 << 0
SELECT_BIASED = 1 << 1
TIMER_TICKER = 1 << 0
TIMER_STOP = 1 << 0
INFO_CLOSED = 1 << 0
INFO_AUTOCLOSE = 1 << 1
INFO_TIMER = 1 << 2

BATCH_MAX = 4096
SELECT_MAX = 1024

# Native byte order and sizes, no padding: the header's explicit layout.
API = struct.Struct("=IIQ2Q")
MAKE = struct.Struct("=IIII2Q")
XFER = struct.Struct("=QIIQIIII")
CASE = struct.Struct("=iIQIi")
SELECT = struct.Struct("=QIIQIIQ")
TIMER = struct.Struct("=qIIQ")
TIMER_SET = struct.Struct("=qIIQ")
DUP = struct.Struct("=IIQ")
INFO = struct.Struct("=IIIIIIIIQ2Q")

_IOC_WRITE = 1
_IOC_READ = 2
_MAGIC = 0xC5


def _ioc(direction, nr, size):
    return (direction << 30) | (size << 16) | (_MAGIC << 8) | nr


IOC_API = _ioc(_IOC_READ | _IOC_WRITE, 0x00, API.size)
IOC_MAKE = _ioc(_IOC_WRITE, 0x01, MAKE.size)
IOC_SELECT = _ioc(_IOC_READ | _IOC_WRITE, 0x02, SELECT.size)
IOC_TIMER = _ioc(_IOC_WRITE, 0x03, TIMER.size)
IOC_SEND = _ioc(_IOC_READ | _IOC_WRITE, 0x10, XFER.size)
IOC_RECV = _ioc(_IOC_READ | _IOC_WRITE, 0x11, XFER.size)
IOC_CLOSE = _ioc(0, 0x12, 0)
IOC_INFO = _ioc(_IOC_READ, 0x13, INFO.size)
IOC_DUP = _ioc(_IOC_WRITE, 0x14, DUP.size)
IOC_TIMER_SET = _ioc(_IOC_READ | _IOC_WRITE, 0x15, TIMER_SET.size)
