"""File names of any bytes, as text that is safe to print and to record, and back again.

A name that is not UTF-8 (a Windows zip unpacked on Linux, say) reaches Python as a str with
lone surrogates, which no UTF-8 file, CSV or terminal can hold: written as it is, it stopped an
ingest. :func:`printable` turns a name into plain printable text by one reversible rule, and
:func:`original` gives back the exact bytes, so the ledger records every name and loses none.

The rule: a byte that is not part of valid UTF-8 becomes ``\\xNN``; a character that does not
show as itself - a control character (C0, DEL, C1), a format character (zero-width space,
bidirectional controls, soft hyphen, byte-order mark, tags), a line or paragraph separator, a
space other than the plain one, a private-use character or any other lone surrogate - becomes
``\\xNN`` (below 0x80), ``\\uNNNN`` or ``\\UNNNNNNNN``; a backslash becomes ``\\\\``. Every
other character is itself, so an ordinary name, accents and all, is unchanged.
"""

from __future__ import annotations

import os
import re
import unicodedata

# categories of characters that do not show as themselves (or show as something else)
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Zs"})
_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")


def _escaped(c: str) -> str:
    code = ord(c)
    if c == "\\":
        return "\\\\"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode carries it
        return f"\\x{code - 0xDC00:02x}"
    if c == " " or unicodedata.category(c) not in _HIDDEN:
        return c
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(name: str | os.PathLike[str]) -> str:
    """``name`` (a path, or a str that may carry undecodable bytes) as printable UTF-8 text."""
    return "".join(map(_escaped, os.fspath(name)))


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


def as_recorded(text: str) -> str:
    """A name read back from a file this program wrote: printable already (returned as it is),
    unless an earlier version wrote it raw, as it came (then made printable now). A raw name
    whose only unusual character is a backslash cannot be told from a printable one, and is
    taken as printable."""
    plain = all(c == "\\" or _escaped(c) == c for c in text)
    return text if plain else printable(text)


def safe_name(part: str) -> str:
    """A path component from a code: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", part).strip(".-") or "unknown"


# text a spreadsheet program would take as a formula (full-width signs too, which some take as
# their ASCII twins): refused in identity answers, made literal in every file we write
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")
FORMULA_SIGNS = FORMULA_START[:8]


def cell_text(text: str) -> str:
    """Text for a cell of a CSV or workbook a person will open in a spreadsheet program: every
    character that does not show as itself escaped as :func:`printable` does (a line break
    kept, a backslash kept single: this is not for reading back), and a formula-like start made
    literal by a leading apostrophe, as spreadsheet programs do."""
    out = "".join(c if c in "\n\\" else _escaped(c) for c in text)
    return "'" + out if out.lstrip().startswith(FORMULA_START) else out


def record_text(text: str) -> str:
    """Printable text (:func:`printable` made it) for a CSV cell that must read back exactly (the
    ledger's file names): a formula-like first character is escaped in the same reversible way
    (``=`` as ``\\x3d``), so no spreadsheet program runs it and :func:`original` still gives
    the name."""
    if text.startswith(FORMULA_SIGNS):
        c = text[0]
        return (f"\\x{ord(c):02x}" if ord(c) < 0x80 else f"\\u{ord(c):04x}") + text[1:]
    return text


def slug(code: str) -> str:
    """A code as a web address's last part (``PS04`` -> ``ps04``): lower case, anything but
    letters, digits and '-' made '-'. Two codes with one slug would share a page of the site."""
    return re.sub(r"[^a-z0-9-]+", "-", code.lower()).strip("-") or "x"
