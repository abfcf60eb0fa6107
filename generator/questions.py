"""The "questions to ask" (data/questions.yaml): which published row raises which question.

A question names its indicator (or a prefix, with exceptions) and the verdict codes that raise
it (``when``); it fires on an area's row whose judgements against the targets
(``comparison_target_code``) include one of them. Codes, not words, so a reworded verdict can
never silently stop a question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import verdicts
from .catalogue import load_yaml
from .verdicts import Verdict


@dataclass(frozen=True)
class Question:
    id: str
    when: frozenset[Verdict]
    question: str
    why: str
    good: str
    passages: tuple[Mapping[str, str], ...]
    indicator: str = ""
    indicator_prefix: str = ""
    excepted: frozenset[str] = frozenset()

    def about(self, indicator_id: str) -> bool:
        """Whether the question is about this indicator."""
        if indicator_id in self.excepted:
            return False
        return indicator_id == self.indicator or bool(
            self.indicator_prefix and indicator_id.startswith(self.indicator_prefix)
        )

    def fires(self, row: Mapping[str, Any]) -> bool:
        """Whether a published row raises the question."""
        return self.about(str(row.get("indicator_id") or "")) and bool(
            self.when.intersection(verdicts.parse(row.get("comparison_target_code")))
        )


def parse(text: str, where: str = "questions.yaml") -> list[Question]:
    """The questions of a questions.yaml text; an unknown verdict code or a missing field stops
    with a message naming the question."""
    out = []
    for entry in load_yaml(text) or []:
        qid = entry.get("id", "?")
        when = entry.get("when")
        codes = [when] if isinstance(when, str) else list(when or [])
        if not codes:
            raise ValueError(f"{where}: question {qid!r} has no 'when' (the verdict codes that raise it)")
        bad = [c for c in codes if c not in set(Verdict)]
        if bad:
            raise ValueError(
                f"{where}: question {qid!r}: {', '.join(map(repr, bad))} is not a verdict code "
                f"(generator/verdicts.py lists them)"
            )
        missing = [k for k in ("question", "why", "good", "passages") if not entry.get(k)]
        if missing or not (entry.get("indicator") or entry.get("indicator_prefix")):
            raise ValueError(f"{where}: question {qid!r} lacks {', '.join(missing) or 'an indicator'}")
        out.append(
            Question(
                id=qid,
                when=frozenset(Verdict(c) for c in codes),
                question=entry["question"],
                why=entry["why"],
                good=entry["good"],
                passages=tuple(entry["passages"]),
                indicator=entry.get("indicator", ""),
                indicator_prefix=entry.get("indicator_prefix", ""),
                excepted=frozenset(entry.get("except", ())),
            )
        )
    return out


__all__ = ["Question", "parse"]
