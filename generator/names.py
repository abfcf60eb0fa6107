"""File names of any bytes, as text that is safe to print and to record, and back again.

A name that is not UTF-8 (a Windows zip unpacked on Linux, say) reaches Python as a str with
lone surrogates, which no UTF-8 file, CSV or terminal can hold: written as it is, it stopped an
ingest. :func:`printable` turns a name into plain printable text by one reversible rule, and
:func:`original` gives back the exact bytes, so the ledger records every name and loses none.

The rule: a byte that is not part of valid UTF-8 becomes ``\\xNN``; a control character (C0,
DEL, C1), a bidirectional-text control or any other lone surrogate becomes ``\\xNN`` (below
0x80) or ``\\uNNNN``; a backslash becomes ``\\\\``. Every other character is itself, so an
ordinary name is unchanged.
"""

from __future__ import annotations

import os
import re

# bidirectional controls: they make a terminal or a viewer show text in another order than it is
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ESCAPED = re.compile(f"[\\\\\\x00-\\x1f\\x7f-\\x9f{_BIDI}\\ud800-\\udfff]")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    if c == "\\":
        return "\\\\"
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode carries it
        return f"\\x{code - 0xDC00:02x}"
    # any other lone surrogate (not a file name's, but a str may hold one) as its code point
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def printable(name: str | os.PathLike[str]) -> str:
    """``name`` (a path, or a str that may carry undecodable bytes) as printable UTF-8 text."""
    return _ESCAPED.sub(_escape, os.fspath(name))


def original(text: str) -> bytes:
    """The bytes of the name that :func:`printable` made ``text`` from."""
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(text):
        out += text[pos : m.start()].encode("utf-8")
        token = m.group(1)
        if token == "\\":
            out += b"\\"
        elif token[0] == "x":
            out.append(int(token[1:], 16))
        else:
            out += chr(int(token[1:], 16)).encode("utf-8", "surrogatepass")
        pos = m.end()
    out += text[pos:].encode("utf-8")
    return bytes(out)
