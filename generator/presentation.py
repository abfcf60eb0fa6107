"""How the website presents the catalogue's indicators (``data/presentation.yaml``).

Which indicators are key, which one the area page's trend follows, which intake profiles it
draws and which item says how the ratings were corroborated are choices about presentation, not
about calculation: they live in a YAML file beside the catalogue, checked against it, so that
putting an indicator on the area pages touches no code.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pydantic import Field, ValidationError

from .catalogue import Model, load_yaml
from .inputs import find

PRESENTATION_YAML = "data/presentation.yaml"  # in the current folder, else the package's copy


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


def load(indicators: Collection[str], path: Path | None = None) -> Presentation:
    """The presentation in ``path`` (default the project's), every id checked against
    ``indicators`` (the catalogue's published indicator and item ids)."""
    path = path or find(PRESENTATION_YAML)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        p = Presentation.model_validate(raw)
    except (OSError, ValueError, ValidationError) as e:
        first = str(e).splitlines()[0:3]
        raise PresentationError(f"{path}: cannot be read: {' '.join(first)}") from None
    named = [k.indicator for k in p.key_indicators] + [p.trend.indicator]
    named += [x.indicator for x in p.who_the_service_reaches]
    named += [p.ratings_corroboration] if p.ratings_corroboration else []
    unknown = sorted({i for i in named if i not in indicators})
    if unknown:
        raise PresentationError(f"{path}: names {', '.join(unknown)}, not an indicator of the catalogue")
    return p
