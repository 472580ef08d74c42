"""What keeps a citizen's update and the store's writes safe when the process or the database
fails: the ``inbox`` of updates received and not yet handled, a citizen's ``events`` as records
with their own SQL (written now or later, the same way), the ``spool`` file beside the database
while it cannot take writes, the ``backlog`` that sends the events to the database or the spool
without keeping a reply waiting, ``ids`` (generated keys that never repeat), and the database's
``files`` watched under the running store (deleted, replaced, a ``-shm`` cut short). Same import
rules as the store.
"""
