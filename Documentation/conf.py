# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration for "make htmldocs": Documentation/ as HTML, with
# the kernel's kernel-doc extension and script taken from a kernel source
# tree (GOCHAN_KSRC, set by the Makefile from KSRC), as an out-of-tree
# driver's documentation is built.
import os
import sys

ksrc = os.environ.get("GOCHAN_KSRC")
if not ksrc:
    raise RuntimeError("GOCHAN_KSRC is not set: run make htmldocs")
sys.path.insert(0, os.path.join(ksrc, "Documentation", "sphinx"))

project = "gochan"
copyright = "gochan developers"
version = release = os.environ.get("GOCHAN_VERSION", "")

extensions = ["kerneldoc"]
kerneldoc_bin = os.path.join(ksrc, "scripts", "kernel-doc")
kerneldoc_srctree = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

master_doc = "index"
source_suffix = ".rst"
exclude_patterns = ["man", "bench"]
primary_domain = "c"
highlight_language = "none"
html_theme = "alabaster"
html_static_path = []
