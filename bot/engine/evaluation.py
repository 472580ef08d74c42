"""Quality figures of the engine on a labelled question set, and threshold calibration.

A set is JSON lines ``{"q": str, "expect": [ids]}``; an empty ``expect`` marks an
out-of-scope question. Figures follow what a citizen gets: top-1 is the first
entry the engine offers (a "no match" is a miss), top-3 any entry it offers.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.decision import Doubts, Outcome, Thresholds, decide
from bot.engine.engine import AnswerEngine
from bot.engine.matcher import Candidate

__all__ = ["Example", "Report", "calibrate", "evaluate", "read_examples", "score_examples"]


@dataclass(frozen=True)
class Example:
    question: str
    expect: frozenset[str]
    style: str = ""

    @property
    def in_scope(self) -> bool:
        return bool(self.expect)


def read_examples(path: Path) -> list[Example]:
    """Read a JSON-lines set; a malformed line raises ``ValueError`` naming its number."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            examples.append(
                Example(str(record["q"]), frozenset(record["expect"]), str(record.get("style", "")))
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: {error}") from error
    return examples


@dataclass
class Report:
    in_scope: int = 0
    out_of_scope: int = 0
    top1: int = 0
    top3: int = 0
    direct: int = 0
    direct_wrong: int = 0
    oos_direct: int = 0
    oos_offered: int = 0
    errors_by_topic: Counter[str] = field(default_factory=Counter)
    errors_by_style: Counter[str] = field(default_factory=Counter)
    style_totals: Counter[str] = field(default_factory=Counter)
    confused: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    @staticmethod
    def _rate(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def top1_rate(self) -> float:
        return self._rate(self.top1, self.in_scope)

    @property
    def top3_rate(self) -> float:
        return self._rate(self.top3, self.in_scope)

    @property
    def oos_direct_rate(self) -> float:
        return self._rate(self.oos_direct, self.out_of_scope)

    def figures(self) -> dict[str, float | int]:
        return {
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "top1": round(self.top1_rate, 4),
            "top3": round(self.top3_rate, 4),
            "direct_answer_rate": round(self._rate(self.direct, self.in_scope), 4),
            "direct_answer_wrong": round(self._rate(self.direct_wrong, self.in_scope), 4),
            "oos_direct": round(self.oos_direct_rate, 4),
            "oos_offered": round(self._rate(self.oos_offered, self.out_of_scope), 4),
        }

    def lines(self, most: int = 10) -> list[str]:
        f = self.figures()
        out = [
            f"in-scope questions      {self.in_scope}",
            f"out-of-scope questions  {self.out_of_scope}",
            f"top-1 accuracy          {f['top1']:.1%}",
            f"top-3 recall            {f['top3']:.1%}",
            f"answered directly       {f['direct_answer_rate']:.1%} (wrong: {f['direct_answer_wrong']:.1%})",
            f"out-of-scope answered   {f['oos_direct']:.1%} directly, {f['oos_offered']:.1%} offered choices",
        ]
        if self.errors_by_topic:
            out.append("top-1 errors per topic:")
            out += [f"  {topic:28} {count}" for topic, count in self.errors_by_topic.most_common()]
        if self.style_totals:
            out.append("top-1 errors per style:")
            out += [
                f"  {style:28} {self.errors_by_style[style]}/{total}"
                for style, total in sorted(self.style_totals.items())
            ]
        if self.confused:
            out.append("most confused (expected -> given):")
            out += [f"  {a} -> {b}  {n}" for (a, b), n in self.confused.most_common(most)]
        return out


Scored = tuple[Example, list[Candidate], Doubts]


def score_examples(engine: AnswerEngine, examples: Iterable[Example]) -> list[Scored]:
    """The ranking and the doubts of every example (thresholds apply later)."""
    scored = []
    for example in examples:
        key, ranked = engine.rank(example.question)
        scored.append((example, ranked, engine.doubts(key)))
    return scored


def evaluate(scored: Sequence[Scored], thresholds: Thresholds) -> Report:
    report = Report()
    for example, ranked, doubts in scored:
        decision = decide(ranked, thresholds, doubts)
        offered = [c.entry_id for c in decision.candidates]
        if not example.in_scope:
            report.out_of_scope += 1
            report.oos_direct += decision.outcome is Outcome.ANSWER
            report.oos_offered += decision.outcome is Outcome.DID_YOU_MEAN
            if decision.outcome is Outcome.ANSWER:
                report.confused[("(out of scope)", offered[0])] += 1
                report.misses.append((example.question, "(out of scope)", offered[0]))
            continue
        report.in_scope += 1
        report.style_totals[example.style] += 1
        first = offered[0] if offered else "(no match)"
        if first in example.expect:
            report.top1 += 1
        else:
            expected = sorted(example.expect)[0]
            report.errors_by_topic[expected] += 1
            report.errors_by_style[example.style] += 1
            report.confused[(expected, first)] += 1
            report.misses.append((example.question, expected, first))
        report.top3 += any(entry_id in example.expect for entry_id in offered)
        if decision.outcome is Outcome.ANSWER:
            report.direct += 1
            report.direct_wrong += first not in example.expect
    return report


def _objective(report: Report) -> float:
    """Right direct answers are good; wrong ones and confident answers to strangers are costly."""
    n = max(report.in_scope, 1)
    m = max(report.out_of_scope, 1)
    return (
        report.top1 / n
        + report.top3 / n
        + (report.direct - report.direct_wrong) / n
        - 4.0 * report.direct_wrong / n
        - 4.0 * report.oos_direct / m
        - 0.25 * report.oos_offered / m
    )


def calibrate(
    scored: Sequence[Scored], max_oos_direct: float = 0.03, min_top3: float = 0.98
) -> tuple[Thresholds, Report]:
    """Grid-search the thresholds for the best objective.

    Out-of-scope direct answers must stay under ``max_oos_direct``; among the
    settings that also offer the right entry in the top three for ``min_top3``
    of in-scope questions, the best is taken (if none reaches it, the best overall).
    """
    grid = [round(x * 0.01, 2) for x in range(4, 96)]
    margins = [0.0, 0.03, 0.06, 0.1, 0.15]
    unknown = [0.1, 0.2, 0.3, 0.4, 1.0]
    best: tuple[float, Thresholds, Report] | None = None
    for answer, margin, max_unknown in itertools.product(grid[::2], margins, unknown):
        for suggest in grid[::2]:
            if suggest > answer:
                break
            thresholds = Thresholds(answer=answer, margin=margin, suggest=suggest, max_unknown=max_unknown)
            report = evaluate(scored, thresholds)
            if report.oos_direct_rate > max_oos_direct:
                continue
            value = _objective(report) + (10.0 if report.top3_rate >= min_top3 else 0.0)
            if best is None or value > best[0]:
                best = (value, thresholds, report)
    if best is None:
        thresholds = Thresholds(answer=1.0, margin=0.0, suggest=1.0)
        return thresholds, evaluate(scored, thresholds)
    return best[1], best[2]
