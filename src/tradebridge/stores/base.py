"""Store: owns one connection to a venue and hands out its broker and data feeds.

One store per connection identity (e.g. host, port, client id): asking again for the same
connection returns the same store; asking with conflicting settings is an error (backtrader's
singleton silently ignored the second call's arguments).
"""

from __future__ import annotations

import collections
import threading
from typing import Any, ClassVar

from ..lines.params import ParamsMixin, unknown_param_error

__all__ = ["Store", "StoreConflictError"]


class StoreConflictError(ValueError):
    """The same connection was requested with different settings."""


class Store(ParamsMixin):
    """Base class of venue stores (``bt.stores.IBStore`` etc.)."""

    BrokerCls: ClassVar[Any] = None
    DataCls: ClassVar[Any] = None
    identity: ClassVar[tuple[str, ...]] = ()  # the params that name one connection
    secret_params: ClassVar[tuple[str, ...]] = ()  # never shown in reprs or errors
    _registry: ClassVar[dict[tuple, Store]] = {}
    _lock = threading.Lock()

    def __new__(cls, *args: Any, **kwargs: Any) -> Store:
        key = cls._key(kwargs)
        with Store._lock:
            existing = Store._registry.get(key)
            if existing is not None:
                existing._check_same(kwargs)
                existing._reused = True
                return existing
            obj = super().__new__(cls)
            obj._reused = False
            Store._registry[key] = obj
            return obj

    def __init__(self, **kwargs: Any) -> None:
        if self.__dict__.get("_initialized"):
            return
        rest = self._take_params(dict(kwargs))
        if rest:
            Store._registry.pop(self._key(kwargs), None)
            raise unknown_param_error(self, next(iter(rest)))
        self._initialized = True
        self.notifs: collections.deque[tuple[Any, tuple, dict]] = collections.deque()
        self.datas: list[Any] = []
        self.broker: Any = None
        self._started = False

    @classmethod
    def _key(cls, kwargs: dict[str, Any]) -> tuple:
        defaults = cls.params._defaults
        return (cls,) + tuple(kwargs.get(name, defaults.get(name)) for name in cls.identity)

    def _check_same(self, kwargs: dict[str, Any]) -> None:
        for name, value in kwargs.items():
            current = getattr(self.p, name, None)
            if current != value:
                shown = "***" if name in self.secret_params else repr(value)
                now = "***" if name in self.secret_params else repr(current)
                raise StoreConflictError(
                    f"{type(self).__name__} for {self._describe()} already exists with "
                    f"{name}={now}; asked again with {name}={shown}. Use the existing store "
                    "or stop it first.")

    def _describe(self) -> str:
        parts = [f"{n}={getattr(self.p, n)!r}" for n in self.identity if n not in self.secret_params]
        return ", ".join(parts) or "this venue"

    # -- what the store hands out ------------------------------------------------------------
    def getdata(self, *args: Any, **kwargs: Any) -> Any:
        """A data feed of this venue, bound to this store."""
        if self.DataCls is None:
            raise NotImplementedError(f"{type(self).__name__} has no data feed")
        data = self.DataCls(*args, **kwargs)
        data._store = self
        return data

    def getbroker(self, *args: Any, **kwargs: Any) -> Any:
        """This venue's broker, bound to this store (one per store)."""
        if self.BrokerCls is None:
            raise NotImplementedError(f"{type(self).__name__} has no broker")
        if self.broker is None:
            self.broker = self.BrokerCls(*args, **kwargs)
            self.broker._store = self
        return self.broker

    @classmethod
    def for_kwargs(cls, kwargs: dict[str, Any]) -> Any:
        """The store named by the store params among ``kwargs`` (they are removed from it); a
        ``_store_obj`` among them is that store already."""
        store = kwargs.pop("_store_obj", None)
        names = set(cls.params._defaults)
        mine = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
        return store if store is not None else cls(**mine)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, data: Any = None, broker: Any = None) -> None:
        """Open the connection (once); remember who uses it."""
        if data is not None and not any(d is data for d in self.datas):
            self.datas.append(data)
        if broker is not None:
            self.broker = broker
        if not self._started:
            self._started = True
            self._connect()

    def stop(self) -> None:
        """Close the connection and free the identity for a new store."""
        if self._started:
            self._started = False
            self._disconnect()
        with Store._lock:
            for key, store in list(Store._registry.items()):
                if store is self:
                    del Store._registry[key]

    def _connect(self) -> None:
        """Venue hook: open the connection."""

    def _disconnect(self) -> None:
        """Venue hook: close the connection."""

    # -- live runs: the engine's inbox ---------------------------------------------------------
    def attach_inbox(self, inbox: Any) -> None:
        """Called by cerebro (engine thread) before ``start`` in a live run."""
        self._inbox = inbox
        self._engine_ident = threading.get_ident()

    def on_event(self, event: Any) -> None:
        """An inbox event this store sent itself, now on the engine thread."""
        from ..live.inbox import Kind

        if event.kind is Kind.STORE:
            self.notifs.append(event.payload)
        elif event.kind is Kind.CONNECTION:
            self._on_connection(event.payload)
        else:
            raise ValueError(f"{type(self).__name__} got an inbox event of kind "
                             f"{event.kind.name}; a store handles STORE and CONNECTION")

    def _on_connection(self, payload: Any) -> None:
        """Venue hook: the connection came up or went down (engine thread)."""

    # -- notifications -------------------------------------------------------------------------
    def put_notification(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        """Queue a ``notify_store`` message; from a venue thread it crosses via the inbox."""
        inbox = self.__dict__.get("_inbox")
        if inbox is not None and threading.get_ident() != self._engine_ident:
            from ..live.inbox import Kind

            inbox.put(Kind.STORE, (msg, args, kwargs), source=self)
            return
        self.notifs.append((msg, args, kwargs))

    def get_notifications(self) -> list[tuple[Any, tuple, dict]]:
        out = list(self.notifs)
        self.notifs.clear()
        return out

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._describe()}>"
