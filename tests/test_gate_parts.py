"""The gate's reading of a workbook's parts (generator.intake.gate_parts): no DTD in a part a
reader parses (a picture is never parsed), and column letters read as numbers."""

from __future__ import annotations

from generator.intake.reader import read_return_bytes

from .builders import rezip, valid_return


def test_a_picture_with_a_doctype_does_not_make_a_return_unsafe(catalogue, registry):
    """Pictures are never parsed, and an SVG logo exported by a drawing program often starts
    with a DOCTYPE: the entity check is for the parts a reader parses."""
    svg = b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg/>'
    data = rezip(valid_return(catalogue, registry, "B"), add={"xl/media/image1.svg": svg})
    r = read_return_bytes(data, "logo.xlsx", catalogue, registry)
    assert r.valid, [p.message for p in r.errors]
    same_in_xml = rezip(valid_return(catalogue, registry, "B"), add={"xl/drawings/drawing9.xml": svg})
    assert "unsafe-xml" in {
        p.code for p in read_return_bytes(same_in_xml, "x.xlsx", catalogue, registry).errors
    }
