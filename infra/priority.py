"""Lowest CPU and IO priority for background work (a nightly backup), so that pages keep their speed.

Three things are lowered, each only where the operating system lets this process do it:

* CPU: the scheduling policy ``SCHED_IDLE`` (and nice 19 as well, for kernels or tools that only look
  at nice). Nice alone is not enough on Linux: with ``kernel.sched_autogroup_enabled`` (the default of
  most distributions) every session is its own scheduling group, and nice only orders threads *inside*
  a group — a niced backup still gets its group's full share against the web server's group. A
  ``SCHED_IDLE`` thread, by contrast, is preempted as soon as any normal thread of any group wants the
  CPU (the kernel's wakeup check compares the two at the level where their groups meet).
* IO: the ``idle`` IO class (``ionice -c3``); only schedulers that know IO classes honour it (bfq,
  mq-deadline); with ``none`` (most virtual disks) it changes nothing.
* Both are per *thread* on Linux and inherited by threads and processes started afterwards, so the
  work is run in a fresh thread that lowers itself first (``run_lowered``): its thread pools and its
  ``pg_dump`` inherit the priority, and the long-lived worker thread that asked is left as it was (an
  unprivileged thread may lower itself but never raise itself back).

``process_lower`` lowers another process (every thread of it): the PostgreSQL backend serving a dump
(same machine, and permission: root, ``CAP_SYS_NICE`` or the same user), or a benchmark's helper.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import psutil

T = TypeVar("T")

NICE_LOWEST = 19


@dataclass(frozen=True)
class Lowered:
    """What could be applied (each False where the system refused or does not support it)."""

    sched_idle: bool
    nice: bool
    io_idle: bool

    @property
    def any(self) -> bool:
        return self.sched_idle or self.nice or self.io_idle

    def describe(self) -> str:
        done = [
            name
            for name, ok in (("SCHED_IDLE", self.sched_idle), ("nice 19", self.nice), ("IO idle", self.io_idle))
            if ok
        ]
        return ", ".join(done) or "none"


def _task_lower(tid: int) -> Lowered:
    """Lower one kernel task (a thread id, or a process id for its main thread)."""
    nice = sched_idle = io_idle = False
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, tid, NICE_LOWEST)
        nice = True
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
            sched_idle = True
    ioprio_idle = getattr(psutil, "IOPRIO_CLASS_IDLE", None)
    if ioprio_idle is not None:
        with contextlib.suppress(psutil.Error, OSError, ValueError):
            psutil.Process(tid).ionice(ioprio_idle)
            io_idle = True
    return Lowered(sched_idle=sched_idle, nice=nice, io_idle=io_idle)


def thread_lower() -> Lowered:
    """Lower the calling thread, and so every thread and process it starts from now on."""
    return _task_lower(threading.get_native_id())


def process_lower(pid: int) -> Lowered:
    """Lower every thread of process ``pid``; raises ``psutil.NoSuchProcess`` if it is gone."""
    results = [_task_lower(t.id) for t in psutil.Process(pid).threads()] or [_task_lower(pid)]
    return Lowered(
        sched_idle=all(r.sched_idle for r in results),
        nice=all(r.nice for r in results),
        io_idle=all(r.io_idle for r in results),
    )


def run_lowered(fn: Callable[[], T], *, on_exit: Callable[[], None] | None = None) -> tuple[T, Lowered]:
    """Run ``fn`` in a new thread at the lowest priority, wait for it, and return its result (or raise
    its exception) with what was applied. ``on_exit`` runs in that thread when ``fn`` ends (e.g.
    closing the thread's own database connection)."""
    outcome: dict[str, object] = {}

    def body() -> None:
        try:
            outcome["lowered"] = thread_lower()
            outcome["result"] = fn()
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc
        finally:
            if on_exit is not None:
                with contextlib.suppress(Exception):
                    on_exit()

    thread = threading.Thread(target=body, name="low-priority", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"], outcome["lowered"]  # type: ignore[return-value]
