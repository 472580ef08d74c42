"""The province's offices as staff fill them in (``offices``), as a citizen reads them (``text``),
and the official holidays (``holidays``). Same import rules as the knowledge layer.
"""
