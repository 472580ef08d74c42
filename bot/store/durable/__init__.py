"""What keeps a citizen's update and the store's writes safe when the process or the database
fails: the ``inbox`` of updates received and not yet handled, the ``spool`` file beside the
database while it cannot take writes, the ``backlog`` that sends a citizen's events to the
database or the spool without keeping a reply waiting, and ``ids`` (generated keys that never
repeat). Same import rules as the store.
"""
