"""A return's answers as read (generator.intake.answers): values normalised to their stored form
(counts as integers, a scale's code, dates), blanks and error literals told apart."""

from __future__ import annotations

import datetime as dt

from generator.intake.reader import read_return_bytes

from .builders import valid_return


def test_values_are_normalised(catalogue, registry):
    r = read_return_bytes(valid_return(catalogue, registry, "C"), "c.xlsx", catalogue, registry)
    assert isinstance(r.values["C01_paid_employment_focus"], int)  # the scale point, not its wording
    assert isinstance(r.values["C09_service_start_date"], dt.date)
    assert r.values["C12_self_assessment"] in ("yes", "no")
    r = read_return_bytes(valid_return(catalogue, registry, "B"), "b.xlsx", catalogue, registry)
    assert isinstance(r.values["B01_new_referrals"], int)  # calamine reads 51.0
