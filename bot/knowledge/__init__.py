"""The knowledge base: entries, categories and offices read from YAML, checked, edited, presented.

``model`` (typed records), ``loader`` (read and check the folder), ``offices``, ``presentation``
(an entry as the citizen reads it), ``edit`` and ``files`` (staff edits, written atomically with
backups), ``yaml_writer`` (the canonical file format), ``workbook/`` (the spreadsheet round trip).

May import: the base modules of ``bot``. Never: the engine, ``telegram``, the messenger, the store,
the reports, the CLI or ``handlers``.
"""
