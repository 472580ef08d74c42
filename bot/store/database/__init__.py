"""The database file itself: its versioned migrations, consistent copies and restores (and the
copy taken before migrations run), and its files as a running store watches them (the database
deleted or replaced, a ``-shm`` cut short)."""
