"""The knowledge base as a workbook PR staff edit: ``exporter`` writes it, ``importer`` reads it back.

``sheets`` is the layout, ``rows`` the cell formats, ``words`` the texts of the guide sheet.
Same rules as the knowledge layer it belongs to.
"""
