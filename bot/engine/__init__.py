"""The answer engine: a citizen's text in, a decision (answer, choices or no match) out.

``normalize`` -> ``finglish`` -> ``analyzer`` (match keys) -> ``matcher`` (scores) -> ``decision``
(calibrated bands), put together by ``engine.AnswerEngine``; ``live`` swaps the engine when the
knowledge changes; ``evaluation`` and ``baseline`` measure it on question sets.

May import: the knowledge layer and the base modules of ``bot``. Never: ``telegram``, the
messenger, the store, the reports, the CLI or ``handlers``.
"""
