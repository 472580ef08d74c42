"""Everything else a citizen does: browse the menu, change language, share a location, read the
privacy notice, subscribe, ask for a person, send media; and what no other handler took. Thin
adapters over the engine and the store (a question and its answer: ``handlers/asking/``).
"""
