"""What the messengers need beyond the handlers: platform settings, the Bot API transport and
its retries, the Application class that tracks what reached the Bot API, rate limits, compact
callback data, long texts split, flood control, paced broadcasts, the poller, and the workers
and update feed of ``[general] workers``.

May import: ``telegram``, the store and the base modules of ``bot``. Never: the engine, the
reports, the CLI or ``handlers``.
"""
