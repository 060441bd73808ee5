#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write libgochan's section 3 man pages from the kernel-doc in gochan.h.

    mkman.py HEADER OUTDIR VERSION     write OUTDIR/<function>.3 and
                                       OUTDIR/libgochan.3
    mkman.py --check HEADER DIR VER    exit 1 if DIR differs from what
                                       would be written (make check)

One page per function (the exported ones and the inline case helpers):
NAME, LIBRARY, SYNOPSIS, DESCRIPTION (with the arguments), RETURN VALUE,
THREADS where the comment says more, SEE ALSO.  libgochan(3) is the
header's opening comment: the conventions every call shares.  The pages
are committed (Documentation/man/man3) so that "make install" needs
nothing but install(1); "make man" rewrites them.
"""
import os
import re
import sys

# Bumped with the pages' content, by hand: the pages do not depend on the
# day they were generated.
DATE = "2026-12-01"

DOC_RE = re.compile(r"/\*\*\n(.*?)\*/\n(.*?)[;{]", re.S)


def roff_text(s):
    """kernel-doc text to roff: escapes, @arg in italics, func() in bold."""
    s = s.replace("\\", "\\e")
    s = re.sub(r"@(\w+)", r"\\fI\1\\fP", s)
    s = re.sub(r"\b(gochan_\w+|GOCHAN_\w+)\(\)", r"\\fB\1\\fP()", s)
    s = re.sub(r"\b(GOCHAN_[A-Z0-9_]+)\b(?!\\fP)", r"\\fB\1\\fP", s)
    s = s.replace("-", "\\-")
    return s


def roff_line(s):
    """A line that may not start with a control character."""
    s = roff_text(s)
    if s.startswith((".", "'")):
        s = "\\&" + s
    return s


def paragraphs(lines):
    """Blank-line separated paragraphs, each a list of lines."""
    out, cur = [], []
    for line in lines:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def parse(header):
    text = open(header).read()
    opening = re.match(r".*?/\*\n(.*?)\*/", text, re.S).group(1)
    docs = []
    for m in DOC_RE.finditer(text):
        body = [re.sub(r"^ \* ?", "", ln) for ln in m.group(1).splitlines()]
        proto = " ".join(m.group(2).split())
        proto = re.sub(r"^static inline ", "", proto)
        head = re.match(r"(\w+)\(\) - (.*)", body[0])
        if not head:
            continue
        name, summary = head.group(1), head.group(2)
        rest = body[1:]
        # The summary may wrap onto lines before the first @arg or blank.
        while rest and rest[0].strip() and not rest[0].startswith("@"):
            summary += " " + rest.pop(0).strip()
        args = []
        while rest and rest[0].startswith("@"):
            a = re.match(r"@(\w+):\s*(.*)", rest.pop(0))
            desc = [a.group(2)]
            while rest and rest[0].startswith(" ") and rest[0].strip():
                desc.append(rest.pop(0).strip())
            args.append((a.group(1), " ".join(desc)))
        desc, ret, threads = [], [], []
        for p in paragraphs(rest):
            joined = " ".join(p)
            if joined.startswith("Return:"):
                r = joined[len("Return:"):].strip()
                ret.append(r[:1].upper() + r[1:])
            elif joined.startswith("Threads:"):
                threads.append(joined[len("Threads:"):].strip())
            else:
                desc.append(joined)
        docs.append(dict(name=name, summary=summary, proto=proto, args=args,
                         desc=desc, ret=ret, threads=threads))
    pre = [re.sub(r"^ \* ?", "", ln) for ln in opening.splitlines()]
    return pre, docs


def th(name, version):
    return '.TH %s 3 %s "libgochan %s" "libgochan Manual"\n' % (
        name.upper(), DATE, version)


def see_also(name, docs):
    related = sorted(d["name"] for d in docs if d["name"] != name and (
        d["name"].split("_")[1] == name.split("_")[1] or
        re.search(r"\b%s\(\)" % re.escape(d["name"]),
                  " ".join(next(x for x in docs if x["name"] == name)["desc"] +
                           next(x for x in docs if x["name"] == name)["ret"]))))
    refs = ["\\fB%s\\fP(3)" % r for r in related]
    refs += ["\\fBlibgochan\\fP(3)", "\\fBgochan\\fP(4)"]
    return ",\n".join(refs) + "\n"


def split_params(params):
    """Split a parameter list at its top-level commas."""
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch == "," and not depth:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def synopsis(proto):
    """A prototype as .BI: types in bold, parameter names in italics."""
    m = re.match(r"(.*?\(\s*)(.*)\)\s*$", proto)
    head, params = m.group(1), m.group(2)
    if params in ("", "void"):
        return '.B "%s%s);"\n' % (head, params)
    words = []
    bold = head
    for i, p in enumerate(split_params(params)):
        fp = re.match(r"(.*\(\*)(\w+)(\).*)", p)
        if fp:
            words += [bold + fp.group(1), fp.group(2)]
            bold = fp.group(3)
        else:
            n = re.match(r"(.*?)(\w+)$", p)
            words += [bold + n.group(1), n.group(2)]
            bold = ""
        bold += ", " if i < len(split_params(params)) - 1 else ");"
    words.append(bold)
    return ".BI " + " ".join('"%s"' % w if i % 2 == 0 else w
                             for i, w in enumerate(words)) + "\n"


def page(d, docs, version):
    out = [th(d["name"], version)]
    out.append(".SH NAME\n%s \\- %s\n" % (d["name"], roff_text(d["summary"])))
    out.append(".SH LIBRARY\nlibgochan (\\fI\\-lgochan\\fP, "
               "\\fIpkg\\-config libgochan\\fP)\n")
    proto = d["proto"]
    out.append(".SH SYNOPSIS\n.nf\n.B #include <gochan.h>\n.PP\n")
    out.append(synopsis(proto) + ".fi\n")
    out.append(".SH DESCRIPTION\n")
    first = True
    for p in d["desc"]:
        if not first:
            out.append(".PP\n")
        out.append(roff_line(p) + "\n")
        first = False
    if first:
        out.append(roff_line(d["name"] + "(): " + d["summary"] + ".") + "\n")
    if d["args"]:
        out.append(".SS Arguments\n")
        for a, text in d["args"]:
            out.append(".TP\n.I %s\n%s\n" % (a, roff_line(text)))
    if d["ret"]:
        out.append(".SH RETURN VALUE\n")
        out.append(".PP\n".join(roff_line(r) + "\n" for r in d["ret"]))
        out.append(".PP\nAs every libgochan call, it reports an error as a "
                   "negative errno value and does not rely on \\fIerrno\\fP; "
                   "\\fBlibgochan\\fP(3) lists the errors all channel calls "
                   "share.\n")
    if d["threads"]:
        out.append(".SH THREADS\n")
        out.append(".PP\n".join(roff_line(t) + "\n" for t in d["threads"]))
    out.append(".SH SEE ALSO\n" + see_also(d["name"], docs))
    return "".join(out)


def overview(pre, docs, version):
    out = [th("libgochan", version)]
    out.append(".SH NAME\nlibgochan \\- Go channels between processes, "
               "over /dev/gochan\n")
    out.append(".SH LIBRARY\nlibgochan (\\fI\\-lgochan\\fP, "
               "\\fIpkg\\-config libgochan\\fP)\n")
    out.append(".SH SYNOPSIS\n.nf\n.B #include <gochan.h>\n.fi\n")
    out.append(".SH DESCRIPTION\n")
    paras = paragraphs(pre)
    # The first line names the library; the rest are the conventions.
    body = paras[1:] if paras and paras[0][0].startswith("libgochan:") else paras
    for i, p in enumerate(body):
        if i:
            out.append(".PP\n")
        out.append(roff_line(" ".join(p)) + "\n")
    out.append(".SH FUNCTIONS\n")
    for d in sorted(docs, key=lambda d: d["name"]):
        out.append(".TP\n.BR %s (3)\n%s\n" % (d["name"], roff_line(d["summary"])))
    out.append(".SH SEE ALSO\n\\fBgochan\\fP(4), \\fBgochan\\fP(1)\n")
    return "".join(out)


def render(header, version):
    pre, docs = parse(header)
    pages = {d["name"] + ".3": page(d, docs, version) for d in docs}
    pages["libgochan.3"] = overview(pre, docs, version)
    return pages


def main(argv):
    check = argv[1:2] == ["--check"]
    if check:
        argv = argv[1:]
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    header, outdir, version = argv[1:]
    pages = render(header, version)
    if check:
        have = set(f for f in os.listdir(outdir) if f.endswith(".3"))
        bad = sorted(have ^ set(pages))
        for name, text in pages.items():
            path = os.path.join(outdir, name)
            if os.path.exists(path) and open(path).read() != text:
                bad.append(name)
        if bad:
            print("man pages out of date (run make man): " + " ".join(bad))
            return 1
        print("%d man pages up to date" % len(pages))
        return 0
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".3") and f not in pages:
            os.remove(os.path.join(outdir, f))
    for name, text in pages.items():
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)
    print("wrote %d pages to %s" % (len(pages), outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
