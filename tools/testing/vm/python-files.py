#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""python-files.py PKGDIR: the gen_init_cpio lines that put Debian's
Python 3 (the interpreter, its shared libraries, the standard library
without its tests and tools) and pytest into the test VM's initramfs,
with the gochan package tree PKGDIR (tools/lib/gochan/python) as
/python.  The guest then runs the package's tests with a real
interpreter against the real device.  Prints nothing and exits 1 when
Debian's python3 or pytest is missing.
"""
import os
import subprocess
import sys
import sysconfig

PY = "/usr/bin/python3"
# What the tests never import: left out to keep the initramfs small.
SKIP = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip",
        "lib2to3", "pydoc_data", "distutils", "unittest/test",
        "sqlite3", "ctypes/test", "curses", "dbm", "venv",
        "config-3.11-x86_64-linux-gnu"}
# Extension modules the tests never load, and the libraries they pull in.
SKIP_SO = ("_ssl", "_hashlib", "_sqlite3", "_curses", "_dbm", "_gdbm",
           "_tkinter", "readline", "_crypt", "nis", "_codecs_",
           "_decimal", "_lzma", "_bz2", "_uuid")
DIST = "/usr/lib/python3/dist-packages"
PYTEST = ["_pytest", "pytest", "pluggy", "iniconfig", "py", "py.py",
          "attr", "attrs"]

dirs, files, links = set(), {}, {}


def add_dir(d):
    while d not in ("/", ""):
        dirs.add(d)
        d = os.path.dirname(d)


def add_file(guest, host):
    add_dir(os.path.dirname(guest))
    files[guest] = host


def add_libs(binary):
    """The shared libraries @binary needs, at the paths ldd names."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        parts = line.split()
        path = parts[2] if "=>" in parts and len(parts) > 2 else parts[0]
        if path.startswith("/"):
            real = os.path.realpath(path)
            add_file(real, real)
            if real != path:
                add_dir(os.path.dirname(path))
                links[path] = real


def add_tree(top, guest_top, skip=()):
    for root, subdirs, names in os.walk(top):
        rel = os.path.relpath(root, top)
        subdirs[:] = [d for d in subdirs
                      if os.path.normpath(os.path.join(rel, d)) not in skip]
        for n in names:
            host = os.path.join(root, n)
            # Only the plain .pyc: they save the guest compiling.
            if n.endswith((".opt-1.pyc", ".opt-2.pyc")) or os.path.islink(host):
                continue
            if n.endswith(".so") and n.startswith(SKIP_SO):
                continue
            add_file(os.path.normpath(os.path.join(guest_top, rel, n)), host)
            if n.endswith(".so"):
                add_libs(host)


def main():
    pkg = sys.argv[1]
    if not os.path.exists(PY) or subprocess.run(
            [PY, "-c", "import pytest"], capture_output=True).returncode:
        return 1
    real = os.path.realpath(PY)
    add_file(real, real)
    add_dir("/usr/bin")
    links["/usr/bin/python3"] = real
    add_libs(real)
    stdlib = subprocess.run([PY, "-c", "import sysconfig; print("
                             "sysconfig.get_paths()['stdlib'])"],
                            capture_output=True, text=True).stdout.strip()
    add_tree(stdlib, stdlib, SKIP)
    for name in PYTEST:
        host = os.path.join(DIST, name)
        if os.path.isdir(host):
            add_tree(host, host)
        elif os.path.isfile(host):
            add_file(host, host)
    add_tree(pkg, "/python", {"build", "gochan.egg-info"})
    for d in sorted(dirs):
        print("dir %s 0755 0 0" % d)
    for g, h in sorted(files.items()):
        mode = "0755" if os.access(h, os.X_OK) else "0644"
        print("file %s %s %s 0 0" % (g, h, mode))
    for g, target in sorted(links.items()):
        if g not in files:
            print("slink %s %s 0777 0 0" % (g, target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
