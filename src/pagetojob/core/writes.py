"""Queue busy writers in the operating system instead of in SQLite's sleep-and-retry loop.

SQLite lets one connection write at a time. A second writer that finds the database locked sleeps and
retries with growing pauses (1, 2, 5, 10 ... 100 ms), so under a burst of public submissions most of the
time goes to sleeping while the lock sits free. `serialized_write()` makes writers wait their turn on a
thread lock and an exclusive lock on a file next to the database instead: the next writer wakes the
moment the previous one commits. On PostgreSQL, which has row-level locking, it does nothing.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

_thread_lock = threading.Lock()
_lock_files: dict[str, int] = {}


def _lock_fd(database_path: str) -> int:
    """One descriptor per process and database: flock excludes other processes, the thread lock this one's."""
    fd = _lock_files.get(database_path)
    if fd is None:
        fd = os.open(str(Path(database_path).with_suffix(".write-lock")), os.O_RDWR | os.O_CREAT, 0o600)
        _lock_files[database_path] = fd
    return fd


@contextmanager
def serialized_write(using: str = "default") -> Iterator[None]:
    connection = connections[using]
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        yield
        return
    with _thread_lock:
        fd = _lock_fd(name)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
