"""What a citizen does: ask, choose, rate, browse the menu, change language, share a location,
subscribe, ask for a person, send media. Thin adapters over the engine and the store.
"""
