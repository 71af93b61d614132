#!/usr/bin/env python3
"""Extract Jane Austen's six novels from the janeaustenr R lazy-load database.

Reads the data/Rdata.rdx index and data/Rdata.rdb values of the Debian package
r-cran-janeaustenr (R is not needed) and writes each novel's character vector,
one element per line ending in "\n", to stdout in the order given on the command
line, with one empty line between two novels.

Usage: extract_austen.py PKG_DIR NAME [NAME ...]
  PKG_DIR  the installed package folder (…/site-library/janeaustenr)
  NAME     a data object, e.g. sensesensibility prideprejudice

Only the subset of R's XDR serialization format (versions 2 and 3) that these
files use is implemented; anything else raises ValueError. Standard library only.
"""

import bz2
import gzip
import lzma
import struct
import sys
import zlib

# SEXP type codes and pseudo-types from R's serialize.c.
NILSXP, SYMSXP, LISTSXP, CLOSXP, ENVSXP, PROMSXP, LANGSXP = 0, 1, 2, 3, 4, 5, 6
CHARSXP, LGLSXP, INTSXP, REALSXP, CPLXSXP, STRSXP = 9, 10, 13, 14, 15, 16
DOTSXP, VECSXP, EXPRSXP, RAWSXP = 17, 19, 20, 24
REFSXP, NILVALUE_SXP, GLOBALENV_SXP, UNBOUNDVALUE_SXP = 255, 254, 253, 252
MISSINGARG_SXP, BASENAMESPACE_SXP, EMPTYENV_SXP, BASEENV_SXP = 251, 250, 242, 241

SPECIALS = {NILVALUE_SXP, GLOBALENV_SXP, UNBOUNDVALUE_SXP, MISSINGARG_SXP,
            BASENAMESPACE_SXP, EMPTYENV_SXP, BASEENV_SXP}


class Reader:
    """Unserializes one XDR ("X\\n") R object into Python values."""

    def __init__(self, data):
        self.data, self.pos, self.refs = data, 0, []
        if data[:2] != b"X\n":
            raise ValueError("not an XDR R serialization")
        self.pos = 2
        version = self.int()
        self.int()  # writer R version
        self.int()  # minimal reader R version
        if version == 3:
            n = self.int()  # native encoding name, skipped
            self.pos += n
        elif version != 2:
            raise ValueError(f"unsupported serialization version {version}")

    def int(self):
        (v,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return v

    def length(self):
        n = self.int()
        if n == -1:
            hi, lo = self.int(), self.int()
            n = (hi << 32) + lo
        return n

    def item(self):
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind in SPECIALS:
            return None
        if kind == REFSXP:
            index = flags >> 8 or self.int()
            return self.refs[index - 1]
        if kind == SYMSXP:
            name = self.item()
            self.refs.append(name)
            return name
        if kind in (LISTSXP, LANGSXP, CLOSXP, PROMSXP, DOTSXP):
            if has_attr:
                self.item()  # attributes of a pairlist are not needed
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            return [(tag, car)] + (cdr if isinstance(cdr, list) else [])
        if kind == CHARSXP:
            n = self.int()
            if n == -1:
                return None  # NA_character_
            raw = self.data[self.pos:self.pos + n]
            self.pos += n
            latin1 = (flags >> 12) & 4
            return raw.decode("latin-1" if latin1 else "utf-8")
        if kind in (LGLSXP, INTSXP):
            n = self.length()
            value = list(struct.unpack_from(f">{n}i", self.data, self.pos))
            self.pos += 4 * n
        elif kind == REALSXP:
            n = self.length()
            value = list(struct.unpack_from(f">{n}d", self.data, self.pos))
            self.pos += 8 * n
        elif kind in (STRSXP, VECSXP, EXPRSXP):
            value = [self.item() for _ in range(self.length())]
        elif kind == RAWSXP:
            n = self.length()
            value = self.data[self.pos:self.pos + n]
            self.pos += n
        else:
            raise ValueError(f"unsupported SEXP type {kind}")
        if has_attr:
            attrs = dict(self.item())
            if "names" in attrs and isinstance(value, list):
                return dict(zip(attrs["names"], value))
        return value


def load_index(pkg_dir):
    with gzip.open(f"{pkg_dir}/data/Rdata.rdx") as f:
        return Reader(f.read()).item()


def fetch(pkg_dir, offset, size):
    """One value of the .rdb: 4-byte big-endian raw length, then the compressed body."""
    with open(f"{pkg_dir}/data/Rdata.rdb", "rb") as f:
        f.seek(offset)
        blob = f.read(size)
    (raw_len,) = struct.unpack_from(">I", blob, 0)
    body = blob[4:]
    if body[:1] == b"\x78":
        data = zlib.decompress(body)
    elif body[:1] == b"2":
        data = bz2.decompress(body[1:])
    elif body[:1] == b"Z":
        data = lzma.decompress(body[1:])
    elif body[:1] == b"0":
        data = body[1:]
    else:
        raise ValueError("unknown .rdb compression")
    if len(data) != raw_len:
        raise ValueError("decompressed length mismatch")
    return Reader(data).item()


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    pkg_dir, names = argv[1], argv[2:]
    variables = load_index(pkg_dir)["variables"]
    out = sys.stdout.buffer
    for i, name in enumerate(names):
        if i > 0:
            out.write(b"\n")  # a blank line between two novels
        offset, size = variables[name]
        lines = fetch(pkg_dir, offset, size)
        if not isinstance(lines, list) or not all(isinstance(s, str) for s in lines):
            raise ValueError(f"{name} is not a character vector")
        for line in lines:
            out.write(line.encode("utf-8") + b"\n")


if __name__ == "__main__":
    main(sys.argv)
