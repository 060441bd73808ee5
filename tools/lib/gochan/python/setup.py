# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The package's version is gochan's, written once in module/Kbuild."""
import os
import re

from setuptools import setup

KBUILD = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "..", "..", "..", "module", "Kbuild")

with open(KBUILD) as f:
    VERSION = re.search(r"^GOCHAN_VERSION := (\S+)$", f.read(), re.M).group(1)

setup(version=VERSION, packages=["gochan"])
