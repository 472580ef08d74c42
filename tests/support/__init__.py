"""Test doubles: the local Bot API server (``fakeapi``), the in-process harness, the recording
application and the real-process bot."""
