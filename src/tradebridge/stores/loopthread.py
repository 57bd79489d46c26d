"""A store whose venue client lives in one asyncio loop on the store's own thread (IB, OANDA).

The engine thread only submits coroutines (``submit``/``run``/``call_soon``); whatever the venue
says reaches the engine through the inbox (``put``), never by a call across threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
import threading
from collections.abc import Coroutine
from typing import Any, ClassVar, TypeVar

from ..feeds.base import DataBase
from ..live.inbox import Inbox, Kind
from .base import Store

__all__ = ["LoopThreadStore"]

T = TypeVar("T")

_STATUS = {name: index for index, name in enumerate(DataBase._NOTIFNAMES)}


class LoopThreadStore(Store):
    """The loop thread, its tasks, and the way from the loop to the engine thread."""

    venue: ClassVar[str] = "venue"  # names the store in log lines and messages
    log_tracebacks: ClassVar[bool] = True  # whether a failed task's traceback is logged
    # "module:Class" beside the store's own module, imported on first use (they import the store)
    data_class: ClassVar[str] = ""
    broker_class: ClassVar[str] = ""

    def _init_loop(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.subscribers: list[Any] = []  # datas resubscribed after a reconnect

    def _thread_name(self) -> str:
        return f"{self.venue.lower()}store"

    # -- the loop thread ------------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self.loop is None or self.loop.is_closed():
            self.loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                            name=self._thread_name())
            self._thread.start()
        return self.loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the store's loop from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_loop())

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the store's loop and wait for its result (never call from the loop)."""
        return self.submit(coro).result(timeout)

    def call_soon(self, fn: Any, *args: Any) -> None:
        """Call ``fn(*args)`` on the store's loop (orders crossing from the engine thread)."""
        self._ensure_loop().call_soon_threadsafe(fn, *args)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a task on the loop (called on the loop) and keep it referenced until done."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            logging.getLogger(type(self).__module__).error(
                "%s store task failed: %s", self.venue, exc, exc_info=exc if self.log_tracebacks else None)
            self.notify(f"{self.venue} store task failed: {exc}")

    # -- what the store hands out ---------------------------------------------------------------
    def _venue_class(self, ref: str) -> Any:
        module, _, name = ref.partition(":")
        package = type(self).__module__.rpartition(".")[0]
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def getdata(self, *args: Any, **kwargs: Any) -> Any:
        """A data feed of this venue on this store."""
        return self._venue_class(self.data_class)(*args, _store_obj=self, **kwargs)

    def getbroker(self, *args: Any, **kwargs: Any) -> Any:
        """This store's broker (one per store)."""
        if self.broker is None:
            self.broker = self._venue_class(self.broker_class)(*args, _store_obj=self, **kwargs)
        return self.broker

    def _broker_listens(self) -> bool:
        """Whether this store's broker is a live broker trading through this store."""
        broker = self.broker
        return broker is not None and hasattr(broker, "on_event") and getattr(broker, "_store", None) is self

    # -- to the engine --------------------------------------------------------------------------
    def put(self, kind: Kind, payload: Any, source: Any) -> None:
        """Hand one event to the engine thread (before a live run attaches an inbox: statuses only)."""
        inbox: Inbox | None = self.__dict__.get("_inbox")
        if inbox is not None:
            inbox.put(kind, payload, source=source)
        elif kind is Kind.DATA_STATUS:
            source.put_notification(payload)

    def notify(self, msg: Any) -> None:
        """A ``notify_store`` message for the strategy (crosses through the inbox from the loop)."""
        self.put_notification(msg)

    def data_status(self, status: str, datas: Any = None) -> None:
        """Move every (or the given) subscribed data to a status by name (``'LIVE'``...)."""
        for data in self.subscribers if datas is None else datas:
            self.put(Kind.DATA_STATUS, _STATUS[status], data)

    # -- lifecycle ------------------------------------------------------------------------------
    def _connect(self) -> None:
        """Open the connection on the loop (blocking the caller); a failure stops the loop."""
        try:
            self.run(self._open())
        except BaseException:
            self._stop_loop()
            raise

    def _disconnect(self) -> None:
        if self.loop is None or self.loop.is_closed():
            return
        try:
            self.run(self._close(), timeout=10)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        loop, self.loop = self.loop, None
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
        loop.close()

    async def _open(self) -> None:
        """Venue hook, on the loop: connect and hand the broker its first snapshot."""
        raise NotImplementedError

    async def _close(self) -> None:
        """Venue hook, on the loop: close the connection."""
        raise NotImplementedError
