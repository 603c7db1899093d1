"""Processes the app starts: the spawn context, a process's identity (pid and start time), and starting a child
process with a thread that follows its events."""

import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path

SPAWN = multiprocessing.get_context("spawn")
POLL_SECONDS = 0.5


def process_start_time(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (``/proc/<pid>/stat`` field 22), or None if unknown."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def process_alive(pid: int | None, start: int | None = None) -> bool:
    """True when a process with this id exists and has not exited (a zombie awaiting its reaper counts as gone).

    With ``start`` (see :func:`process_start_time`), a process that now holds the id but started at another time (a
    reused pid) counts as gone.
    """
    if pid is None:
        return False
    if start is not None and process_start_time(pid) not in (start, None):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def parent_alive(parent_pid: int) -> bool:
    """True while the process that started this one is still its parent (an orphan is adopted by another)."""
    return os.getppid() == parent_pid


def start_followed(
    name: str, target: Callable, *args, follow: Callable[[BaseProcess, Queue], None]
) -> BaseProcess:
    """Start ``target(events, *args)`` in a spawned daemon process and a daemon thread running
    ``follow(process, events)`` on its event queue; the process (already started)."""
    events = SPAWN.Queue()
    process = SPAWN.Process(target=target, args=(events, *args), name=name, daemon=True)
    process.start()
    threading.Thread(target=follow, args=(process, events), name=f"follow-{name}", daemon=True).start()
    return process
