"""The workspace's writers lock: what lets ``dxscore backup`` take one consistent copy.

The dossier store and the database change together: an import commits records to the
store and then marks its job done and queues a measures job in the database. The site's
writers of the store (the worker's imports, the API's dossier batches) hold the lock
shared (``writing``) from before they touch the store until the database knows what they
did; ``dxscore backup`` and ``restore`` hold it exclusively (``frozen``), so a backup sees
either both halves of a write or neither. Backup holds it only while it opens a database
snapshot and pins the store's manifest (a moment); restore for all of its swap.

Two files in ``DXSCORE_HOME`` (POSIX ``flock``, released by the kernel if a process dies):
``.writers.lock`` is the lock itself; ``.backup.lock`` is a gate that a waiting backup
closes, so that a stream of writers cannot keep it out for ever. Without ``fcntl``
(Windows) there is no lock.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

WRITERS = ".writers.lock"
GATE = ".backup.lock"
POLL = 0.1

_held = threading.local()  # writing() is re-entrant within a thread


class WorkspaceBusy(Exception):
    """The lock was not had within the time allowed."""


def _home(home: Path | None) -> Path:
    if home is None:
        from django.conf import settings

        home = Path(settings.HOME)
    home.mkdir(parents=True, exist_ok=True)
    return home


def _open(path: Path) -> int:
    # read-only is enough for flock, and lets processes of other users share the file
    return os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)


def _acquire(fd: int, mode: int, deadline: float | None, on_wait=None) -> None:
    if deadline is None and on_wait is None:
        fcntl.flock(fd, mode)
        return
    told = False
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                raise WorkspaceBusy from None
            if on_wait is not None and not told:
                on_wait()
                told = True
            time.sleep(POLL)


@contextmanager
def writing(home: Path | None = None, timeout: float | None = None) -> Iterator[None]:
    """Hold the lock shared while changing the dossier store and what the database says
    about it. Waits while a backup or a restore holds it (at most ``timeout`` seconds,
    then ``WorkspaceBusy``)."""
    if fcntl is None or getattr(_held, "depth", 0):
        _held.depth = getattr(_held, "depth", 0) + 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    home = _home(home)
    deadline = None if timeout is None else time.monotonic() + timeout
    gate, lock = _open(home / GATE), _open(home / WRITERS)
    try:
        _acquire(gate, fcntl.LOCK_SH, deadline)
        try:
            _acquire(lock, fcntl.LOCK_SH, deadline)
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
    finally:
        os.close(lock)  # closing releases the lock
        os.close(gate)


@contextmanager
def frozen(
    home: Path | None = None,
    timeout: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the lock exclusively: no writer of the store runs meanwhile. Waits for the
    running ones to finish (``on_wait`` is called once if it has to wait; after
    ``timeout`` seconds ``WorkspaceBusy``); new ones wait until this is left."""
    if fcntl is None:
        yield
        return
    home = _home(home)
    deadline = None if timeout is None else time.monotonic() + timeout
    told = []

    def once() -> None:
        if on_wait is not None and not told:
            told.append(True)
            on_wait()

    gate, lock = _open(home / GATE), _open(home / WRITERS)
    try:
        _acquire(gate, fcntl.LOCK_EX, deadline, once)
        _acquire(lock, fcntl.LOCK_EX, deadline, once)
        yield
    finally:
        os.close(lock)
        os.close(gate)
