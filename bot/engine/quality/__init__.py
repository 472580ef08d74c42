"""Measuring the engine: labelled question sets, figures per outcome and style, the calibration of
the thresholds, the naive baseline and the knowledge base's self-consistency check.

Used by ``sabtyar eval``, ``sabtyar calibrate``, ``sabtyar kb check`` and the benchmarks; the
answer path (:mod:`bot.engine.engine`) never imports it.
"""
