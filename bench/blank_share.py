"""How much of a published indicators.csv is blank: the figures the methods page and README quote.

    python bench/blank_share.py NEW.csv [OLD.csv]

A rate row is a percentage worked out from counts of people (its method starts "Wilson score
interval" or, for events among people, "Poisson interval"; percentages returned as such, like
Section A's survey figures, are not rates). Blank: no value. Given an older table too, it also
compares the rows both publish, and counts the old table's rows the new one no longer publishes as
blank.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

KEY = ["area_code", "provider_code", "period", "indicator_id", "breakdown_value"]


def rates(path: Path) -> pd.DataFrame:
    d = pd.read_csv(path, dtype=str, keep_default_na=False)
    from_counts = d["method"].str.startswith(("Wilson score interval", "Poisson interval"))
    return d[(d["unit"] == "percent") & from_counts]


def share(rows: pd.DataFrame) -> str:
    return f"{100 * (rows['value'] == '').mean():.1f}% of {len(rows):,}"


def main(argv: list[str]) -> int:
    new = rates(Path(argv[0]))
    below, national = new[new["level"] != "all areas"], new[new["level"] == "all areas"]
    print(f"new: rate rows below national level blank: {share(below)}; national: {share(national)}")
    if len(argv) > 1:
        old = rates(Path(argv[1]))
        old_below = old[old["level"] != "all areas"]
        print(
            f"old: rate rows below national level blank: {share(old_below)}; "
            f"national: {share(old[old['level'] == 'all areas'])}"
        )
        both = old_below.merge(
            below[[*KEY, "value"]], on=KEY, how="left", suffixes=("_old", ""), indicator=True
        )
        kept = both[both["_merge"] == "both"]
        before, after = (100 * (kept[c] == "").mean() for c in ("value_old", "value"))
        print(
            f"rows both publish below national level ({len(kept):,}): "
            f"blank {before:.1f}% before, {after:.1f}% after"
        )
        gone = (both["_merge"] == "left_only") | (both["value"] == "")
        print(
            f"counting the old rows no longer published as blank: {100 * gone.mean():.1f}% of {len(both):,}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
