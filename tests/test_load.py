"""The catalogue read from its YAML (generator.catalogue.load): unknown keys and missing files
named with their file, and digests that change with the files they cover."""

from __future__ import annotations

import pytest

from generator.catalogue.load import load_catalogue
from generator.catalogue.model import CatalogueError

from .builders import edit_yaml


def test_a_misspelt_key_is_named_with_file_and_path(cat_copy):
    """Unknown keys are errors (extra='forbid'), reported with the file and where in it."""
    edit_yaml(
        cat_copy / "sections" / "B_client_intake.yaml",
        lambda d: d["groups"][0]["items"][0].update(polarty="higher_better"),
    )
    with pytest.raises(CatalogueError) as e:
        load_catalogue(cat_copy)
    msg = str(e.value)
    assert "sections/B_client_intake.yaml" in msg and "groups.0.items.0.polarty" in msg


def test_a_missing_file_is_named(cat_copy):
    (cat_copy / "scales.yaml").unlink()
    with pytest.raises(CatalogueError, match=r"scales\.yaml: missing"):
        load_catalogue(cat_copy)


def test_digest_changes_with_the_catalogue(cat_copy, catalogue):
    """The catalogue's digest changes when any file does; a section's only when its inputs do,
    so editing one section's questions leaves the other sections' templates untouched."""
    assert load_catalogue(cat_copy).digest == catalogue.digest
    p = cat_copy / "sections" / "B_client_intake.yaml"
    p.write_text(p.read_text() + "\n# a comment\n")
    edited = load_catalogue(cat_copy)
    assert edited.digest != catalogue.digest
    assert edited.section_digests["B"] != catalogue.section_digests["B"]
    assert edited.section_digests["A"] == catalogue.section_digests["A"]
    p = cat_copy / "breakdowns.yaml"
    p.write_text(p.read_text() + "\n# a comment\n")
    assert load_catalogue(cat_copy).section_digests["A"] != catalogue.section_digests["A"]
