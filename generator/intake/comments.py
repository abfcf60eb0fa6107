"""Caveats providers write on their returns, and the analyst's approval to publish them.

Free text may name or describe a client, so it is never published by default. A text item the
catalogue marks ``approvable`` (the comments box on every return) is shown to the analyst
(``kpi validate``, ``kpi comments``) and published on the data-quality table and the area's page
only once ``kpi comments --approve`` has recorded an approval for that very text of that very
return: a resubmission, or an edited comment, needs approving again. Approvals are appended to
the store's ``approvals.csv``; a withdrawal is appended the same way, so the record is complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.catalogue.sections import Catalogue

APPROVED, WITHDRAWN = "approved", "withdrawn"
AWAITING = "awaiting approval"
KEY_DIGITS = 12  # of the return's SHA-256 in a comment's key: enough to be unique in a store


@dataclass(frozen=True)
class Comment:
    """One caveat on one stored return."""

    sha256: str  # the return's bytes
    item_id: str
    text: str
    area_code: str
    organisation_code: str
    section: str
    period: str
    status: str  # approved | withdrawn | awaiting approval

    @property
    def key(self) -> str:
        """How the analyst names it: the return's digest, shortened, and the item."""
        return f"{self.sha256[:KEY_DIGITS]}:{self.item_id}"

    @property
    def text_sha256(self) -> str:
        return text_digest(self.text)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def approvable_items(catalogue: Catalogue) -> dict[str, str]:
    """item id -> title, for every text item an analyst may approve for publication."""
    return {i.id: i.title for _, i in catalogue.items() if i.approvable}


def decisions(approvals: Iterable[Mapping[str, str]]) -> dict[tuple[str, str, str], str]:
    """(return sha256, item, text sha256) -> approved or withdrawn: the last word counts."""
    state: dict[tuple[str, str, str], str] = {}
    for row in approvals:
        key = (row.get("sha256", ""), row.get("item_id", ""), row.get("text_sha256", ""))
        state[key] = row.get("action", "")
    return state


def comments(
    returns: Sequence[Mapping[str, Any]], catalogue: Catalogue, approvals: Iterable[Mapping[str, str]]
) -> list[Comment]:
    """Every caveat on the current returns, in area, organisation, section and period order."""
    items = approvable_items(catalogue)
    said = decisions(approvals)
    out = []
    for r in returns:
        values, ident = r.get("values", {}), r.get("identity", {})
        for item_id in items:
            text = values.get(item_id)
            if not isinstance(text, str) or not text.strip():
                continue
            sha = str(r.get("sha256", ""))
            status = said.get((sha, item_id, text_digest(text))) or AWAITING
            out.append(
                Comment(
                    sha,
                    item_id,
                    text,
                    str(ident.get("area_code", "")),
                    str(ident.get("organisation_code", "")),
                    str(r.get("section", "")),
                    str(ident.get("period", "")),
                    status,
                )
            )
    return sorted(out, key=lambda c: (c.area_code, c.organisation_code, c.section, c.period, c.item_id))


class UnknownComment(ValueError):
    """A key that names no comment, or more than one."""


def find(found: Sequence[Comment], key: str) -> Comment:
    """The comment a key (or an unambiguous start of one) names."""
    digest, _, item = key.strip().partition(":")
    hits = [c for c in found if c.sha256.startswith(digest.lower()) and (not item or c.item_id == item)]
    if len(digest) < 6 or not hits:
        raise UnknownComment(f"no comment has the key {key!r}: `kpi comments` lists them")
    if len(hits) > 1:
        raise UnknownComment(f"{key!r} names {len(hits)} comments: give more of the key")
    return hits[0]


def approval_row(c: Comment, action: str, by: str) -> dict[str, str]:
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "action": action,
        "sha256": c.sha256,
        "item_id": c.item_id,
        "text_sha256": c.text_sha256,
        "by": by,
    }


def published(found: Iterable[Comment]) -> dict[tuple[str, str, str], str]:
    """(organisation, section, period) -> the approved caveat text: all that may be published."""
    out: dict[tuple[str, str, str], list[str]] = {}
    for c in found:
        if c.status == APPROVED:
            out.setdefault((c.organisation_code, c.section, c.period), []).append(c.text.strip())
    return {k: " ".join(v) for k, v in out.items()}
