"""How the website presents the catalogue's indicators (``data/presentation.yaml``).

Which indicators are key, which one the area page's trend follows, which intake profiles it
draws and which item says how the ratings were corroborated are choices about presentation, not
about calculation: they live in a YAML file beside the catalogue, checked against it, so that
putting an indicator on the area pages touches no code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, ValidationError

from generator.base.inputs import PRESENTATION_YAML, find
from generator.calc.specs import Spec
from generator.catalogue.load import load_yaml
from generator.catalogue.model import Model


class PresentationError(ValueError):
    """The presentation file cannot be read or names what the catalogue does not have."""


class KeyIndicator(Model):
    indicator: str
    breakdown_value: str = ""
    short: str = Field(min_length=2, max_length=40)


class Trend(Model):
    indicator: str
    words: str = Field(min_length=3)


class Profile(Model):
    indicator: str
    subject: str = Field(min_length=2)


class Presentation(Model):
    key_indicators: tuple[KeyIndicator, ...] = Field(min_length=1)
    trend: Trend
    who_the_service_reaches: tuple[Profile, ...] = ()
    ratings_corroboration: str | None = None


def load(specs: Sequence[Spec], path: Path | None = None) -> Presentation:
    """The presentation in ``path`` (default the project's), every entry checked against the
    catalogue's published indicators (``specs``) for the part it plays: a key indicator (and
    its category) that exists, a trend that is a rate, profiles that compare intake with the
    population, a corroboration item that is a choice."""
    path = path or find(PRESENTATION_YAML)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        p = Presentation.model_validate(raw)
    except (OSError, ValueError, ValidationError) as e:
        first = str(e).splitlines()[0:3]
        raise PresentationError(f"{path}: cannot be read: {' '.join(first)}") from None
    problems = _problems(p, specs)
    if problems:
        raise PresentationError(f"{path}: " + "; ".join(problems))
    return p


def _problems(p: Presentation, specs: Sequence[Spec]) -> list[str]:
    by_id: dict[str, list[Spec]] = {}
    for s in specs:
        by_id.setdefault(s.indicator_id, []).append(s)
    out = []
    named = [k.indicator for k in p.key_indicators] + [p.trend.indicator]
    named += [x.indicator for x in p.who_the_service_reaches]
    named += [p.ratings_corroboration] if p.ratings_corroboration else []
    unknown = sorted({i for i in named if i not in by_id})
    if unknown:
        return [f"names {', '.join(unknown)}, not an indicator of the catalogue"]
    seen = set()
    for k in p.key_indicators:
        if (k.indicator, k.breakdown_value) in seen:
            out.append(f"key indicator {k.indicator} {k.breakdown_value} is listed twice".replace("  ", " "))
        seen.add((k.indicator, k.breakdown_value))
        values = {s.breakdown_value for s in by_id[k.indicator]}
        title = by_id[k.indicator][0].title
        if other := sorted(set(_words(k.short)) - set(_words(title))):
            # one name for a measure everywhere: the short label shortens its title
            out.append(
                f"key indicator {k.indicator}: short {k.short!r} has words its title {title!r} does not "
                f"({', '.join(other)}); use the title's own words"
            )
        if k.breakdown_value not in values:
            shown = ", ".join(sorted(v for v in values if v)) or "none: leave it out"
            out.append(f"key indicator {k.indicator} has no category {k.breakdown_value!r} ({shown})")
    whole = [s for s in by_id[p.trend.indicator] if not s.breakdown_value]
    if not whole or whole[0].unit != "percent":
        out.append(f"trend {p.trend.indicator} is not a rate without categories (a percentage)")
    for x in p.who_the_service_reaches:
        if any(s.method != "profile" for s in by_id[x.indicator]):
            out.append(f"who_the_service_reaches {x.indicator} does not compare intake with the population")
    c = p.ratings_corroboration
    if c and any(s.unit != "category" for s in by_id[c]):
        out.append(f"ratings_corroboration {c} is not a choice item")
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())
