"""The answer engine: a citizen's text in, a decision (answer, choices or no match) out.

``normalize`` -> ``finglish`` -> ``analyzer`` (match keys) -> ``matcher`` (scores, with the
phrasing ``classifier``'s probabilities) -> ``decision`` (calibrated bands), put together by
``engine.AnswerEngine``; ``clauses`` finds the asking clause of a long message; ``live`` swaps the
engine when the knowledge changes; ``quality/`` measures it on question sets.

May import: the knowledge layer and the base modules of ``bot``. Never: ``telegram``, the
messenger, the store, the reports, the CLI or ``handlers``.
"""
