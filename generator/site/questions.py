"""The "questions to ask" (data/questions.yaml): which published row raises which question.

A question names its indicator (or a prefix, with exceptions) and the verdict codes that raise
it (``when``); it fires on an area's row whose judgements against the targets
(``comparison_target_code``) include one of them. Codes, not words, so a reworded verdict can
never silently stop a question.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.base.inputs import QUESTIONS_YAML, find
from generator.calc import verdicts
from generator.calc.row import Row
from generator.calc.verdicts import Verdict
from generator.catalogue.load import load_yaml


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
    on: str = ""  # "missing_return": raised by a return the area did not send, not by a verdict

    def about(self, indicator_id: str) -> bool:
        """Whether the question is about this indicator."""
        if indicator_id in self.excepted:
            return False
        return indicator_id == self.indicator or bool(
            self.indicator_prefix and indicator_id.startswith(self.indicator_prefix)
        )

    def fires(self, row: Row) -> bool:
        """Whether a published row raises the question."""
        return self.about(row.indicator_id) and bool(
            self.when.intersection(verdicts.parse(row.comparison_target_code))
        )


class QuestionsError(ValueError):
    """questions.yaml names a verdict code or an indicator that does not exist."""


def parse(text: str, where: str = "questions.yaml", indicators: Collection[str] = ()) -> list[Question]:
    """The questions of a questions.yaml text. An unknown verdict code (only the codes of the
    judgements against targets can raise a question), an unknown indicator (when ``indicators``,
    every indicator id, is given) or a missing field stops with a message naming the question."""
    out = []
    for entry in load_yaml(text) or []:
        qid = entry.get("id", "?") if isinstance(entry, dict) else "?"

        def bad(msg: str, qid: object = qid) -> QuestionsError:
            return QuestionsError(f"{where}: question {qid!r}: {msg}")

        if not isinstance(entry, dict):
            raise bad("each question is a mapping (id, indicator, when, question, why, good, passages)")
        if "raised_by" in entry:  # what is missing from the returns, not a published row
            if entry["raised_by"] not in ON:
                raise bad(f"'raised_by' must be one of: {', '.join(ON)}")
            missing = [k for k in ("question", "why", "good", "passages") if not entry.get(k)]
            if missing or "when" in entry or "indicator" in entry:
                raise bad(f"with 'raised_by', give {', '.join(missing) or 'no when or indicator'}")
            out.append(
                Question(
                    id=qid,
                    when=frozenset(),
                    question=entry["question"],
                    why=entry["why"],
                    good=entry["good"],
                    passages=tuple(entry["passages"]),
                    on=entry["raised_by"],
                )
            )
            continue
        when = entry.get("when")
        codes = [when] if isinstance(when, str) else when if isinstance(when, list) else None
        if not codes:
            raise bad("'when' must be a verdict code or a list of them (the codes that raise it)")
        unknown = [c for c in codes if not isinstance(c, str) or c not in _TARGET]
        if unknown:
            raise bad(
                f"{', '.join(map(repr, unknown))} is not a code of a judgement against the targets "
                f"(one of: {', '.join(verdicts.TARGET)})"
            )
        missing = [k for k in ("question", "why", "good", "passages") if not entry.get(k)]
        if missing or not (entry.get("indicator") or entry.get("indicator_prefix")):
            raise bad(f"lacks {', '.join(missing) or 'an indicator (or indicator_prefix)'}")
        q = Question(
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
        if indicators:
            if q.indicator and q.indicator not in indicators:
                raise bad(f"no indicator {q.indicator!r} in the catalogue")
            if q.indicator_prefix and not any(i.startswith(q.indicator_prefix) for i in indicators):
                raise bad(f"no indicator in the catalogue starts with {q.indicator_prefix!r}")
            if stray := sorted(q.excepted - set(indicators)):
                raise bad(f"'except' names {', '.join(map(repr, stray))}, not in the catalogue")
        out.append(q)
    return out


def load(indicators: Collection[str], path: Path | None = None) -> list[Question]:
    """The questions in ``path`` (the project's questions.yaml), checked against the catalogue's
    indicator ids."""
    path = path or find(QUESTIONS_YAML)
    return parse(path.read_text(encoding="utf-8"), str(path), indicators)


_TARGET = frozenset(verdicts.TARGET)
ON = ("missing_return",)  # what else may raise a question


__all__ = ["QUESTIONS_YAML", "Question", "QuestionsError", "load", "parse"]
