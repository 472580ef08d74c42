"""What the engine keeps in the cache folder between starts, so a restart on unchanged knowledge
neither analyzes its texts again nor imports scikit-learn: the analysis of the knowledge
(``analysis``: the analyzer's vocabulary and the phrasings' match keys) and the fit of the
vectors and the classifier (``fits``). Each is kept under a digest of everything it reads, so any
change of the knowledge, the language data, the code or a library's version makes a new one.
(hazm's compact tables are kept by :mod:`bot.engine.compact_tables`.)
"""
