"""A citizen's question and its answer: the engine's decision, the answer with its details and
alternatives, "did you mean" choices, and the rating under the answer. Thin adapters over the
engine and the store.
"""
