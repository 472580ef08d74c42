"""``sabtyar``: the command line, a thin layer over the engine, the knowledge tools, the store and
the reports (``main`` parses the arguments; one module per command does the work).

May import: every layer of ``bot`` and the wiring (``bot.runner`` for ``sabtyar run``). Never
``handlers`` directly: the runner wires them.
"""
