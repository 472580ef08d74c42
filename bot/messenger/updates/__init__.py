"""How updates reach the handlers: the project's own long-polling ``poller`` (it confirms a batch
only once the inbox recorded it), the ``webhook`` server, the ``workers`` of ``[general] workers``
and the ``feed`` that hands a worker its updates, ``reading`` (an update as the handlers get
it: a button press's message read light), the tracked ``application`` that counts the replies
each update got, and its send ``window`` (``[general] unconfirmed_replies``: the most replies a
kill can repeat). Same import rules as the messenger.
"""
