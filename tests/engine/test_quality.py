"""Answer quality on question sets written before tuning, apart from the knowledge base's phrasings.

`heldout.jsonl` was committed before any tuning and never used to tune the matcher
(only the three decision thresholds are calibrated on it, as `sabtyar calibrate`
does); `dev.jsonl` is the set the matcher was tuned on, checked here so that a
regression shows on both.
"""

from __future__ import annotations

import pytest

from bot.engine.engine import AnswerEngine
from bot.engine.quality.baseline import NaiveMatcher
from bot.engine.quality.evaluation import QualityReport, evaluate, read_examples, score_examples
from bot.settings import ROOT

DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def heldout_report(engine: AnswerEngine) -> QualityReport:
    return evaluate(score_examples(engine, read_examples(DATA / "heldout.jsonl")), engine.thresholds)


def test_heldout_set_shape() -> None:
    examples = read_examples(DATA / "heldout.jsonl")
    in_scope = [e for e in examples if e.in_scope]
    assert len(examples) >= 300
    assert len(examples) - len(in_scope) >= 60
    assert len({e.style for e in examples}) >= 10


def test_heldout_questions_are_not_knowledge_base_phrasings(engine: AnswerEngine) -> None:
    """The two were written apart; only a few one-word lines («ممنون», «درود») coincide."""
    phrasings = {" ".join(t.split()) for e in engine.knowledge.entries.values() for t in e.questions}
    examples = read_examples(DATA / "heldout.jsonl")
    overlap = [e.question for e in examples if " ".join(e.question.split()) in phrasings]
    assert len(overlap) <= 0.02 * len(examples), overlap


def test_heldout_covers_every_topic(engine: AnswerEngine) -> None:
    expected = {topic for e in read_examples(DATA / "heldout.jsonl") for topic in e.expect}
    assert expected <= set(engine.knowledge.entries)
    assert len(expected) >= 41


def test_heldout_top1(heldout_report: QualityReport) -> None:
    assert heldout_report.top1_rate >= 0.92, "\n".join(heldout_report.lines())


def test_heldout_top3(heldout_report: QualityReport) -> None:
    assert heldout_report.top3_rate >= 0.98, "\n".join(heldout_report.lines())


def test_heldout_out_of_scope_rarely_answered(heldout_report: QualityReport) -> None:
    assert heldout_report.oos_direct_rate <= 0.05, "\n".join(heldout_report.lines())


def test_beats_naive_baseline_by_25_points(engine: AnswerEngine, heldout_report: QualityReport) -> None:
    naive = NaiveMatcher(engine.knowledge)
    in_scope = [e for e in read_examples(DATA / "heldout.jsonl") if e.in_scope]
    naive_top1 = sum(naive.best(e.question) in e.expect for e in in_scope) / len(in_scope)
    assert heldout_report.top1_rate - naive_top1 >= 0.25, (heldout_report.top1_rate, naive_top1)


@pytest.mark.parametrize("name", ["dev.jsonl"])
def test_tuning_set_does_not_regress(engine: AnswerEngine, name: str) -> None:
    report = evaluate(score_examples(engine, read_examples(DATA / name)), engine.thresholds)
    assert report.top1_rate >= 0.9 and report.oos_direct_rate <= 0.05, "\n".join(report.lines())


def test_lost_birth_certificate_is_answered_directly(engine: AnswerEngine) -> None:
    reply = engine.ask("شناسنامه‌ام گم شده")
    assert reply.answer_id == "birthcert-duplicate"


def test_every_sample_phrasing_comes_back_to_its_own_entry(engine: AnswerEngine) -> None:
    """Issue 11, item 6: the shipped base's phrasings answer their own entry in the first reply. A
    phrasing naming another organisation's service («ثبت شرکت») is never answered directly by design;
    its entry must then be the first choice offered."""
    strays = []
    for entry in engine.knowledge.entries.values():
        for text in entry.questions:
            reply = engine.ask(text)
            if reply.answer_id == entry.id:
                continue
            named_elsewhere = engine.assess(text).doubts.other_service
            if not (named_elsewhere and reply.offered_ids[:1] == [entry.id]):
                strays.append((entry.id, text, reply.answer_id, reply.offered_ids))
    assert strays == []


@pytest.mark.parametrize("text", ["لطف کردید", "خیلی ممنون، کمکم کرد", "مرسی، جوابمو گرفتم"])
def test_thanks_without_a_question_is_thanks(engine: AnswerEngine, text: str) -> None:
    assert engine.ask(text).answer_id == "thanks"


def test_taking_the_husband_s_surname_is_the_spouse_surname_entry(engine: AnswerEngine) -> None:
    # the phrasing stood under surname-change, so the question answered the wrong entry
    assert engine.ask("بعد از ازدواج میتونم فامیلی همسرم رو بگیرم؟").answer_id == "spouse-surname"
