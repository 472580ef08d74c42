"""Monthly indicators: ``figures`` computes them from the store's events, ``labels`` names them,
``output`` (CSV/JSON), ``workbook`` (XLSX) and ``charts`` (PNG) write them.

May import: the store, the knowledge layer and the base modules of ``bot``. Never: ``telegram``,
the messenger, the engine, the CLI or ``handlers``.
"""
