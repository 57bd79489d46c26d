"""OandaBroker: the live broker core's venue calls for OANDA v20, on OandaStore's loop.

The core (:class:`tradebridge.live.broker.LiveBroker`) checks risk, journals each order under its
client id and holds a bracket's members until the last one; this adapter only translates
(:mod:`.mapping`). A bracket goes as one v20 order whose ``takeProfitOnFill``/``stopLossOnFill``/
``trailingStopLossOnFill`` carry the children's client ids, so the take-profit and stop-loss
orders OANDA creates on the fill report back as the bracket's own orders. Every outcome reaches
the core from OANDA's transactions (in id order, once); a write's error answer is reported at
once with OANDA's reject reason. The id of each transaction applied is journaled as the cursor,
so a reconnect or a restart replays ``/transactions/sinceid`` from exactly there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...live import Event, Kind
from ...live.broker import LiveBroker, OrderRefused
from ...live.state import VenueOrder
from ...orders.comminfo import CommInfoBase
from ...orders.position import Position
from . import models as m
from .errors import OandaConnectionError, OandaError, OandaHTTPError
from .mapping import ENTRY_TYPES, REFUSED, OandaMappingError, order_request
from .store import OandaStore

__all__ = ["LEDGER", "OandaBroker"]

LEDGER = "oanda_balance"  # journal cursor name of the balance the transactions explain (.ledger)


class OandaBroker(LiveBroker):
    """backtrader's OandaBroker on the live core; store params (token, account, practice...) name it."""

    params: Any = (("use_positions", True),)

    def __init__(self, **kwargs: Any) -> None:
        store = OandaStore.for_kwargs(kwargs)
        kwargs.setdefault("journal", store.p.journal)
        kwargs.setdefault("account", store.p.account)
        super().__init__(**kwargs)
        self._store = self.o = store
        if store.broker is None:
            store.broker = self
        self._brackets: dict[str, tuple[Any, list[tuple[Any, str]]]] = {}  # parent cid -> (parent, children)
        self._comminfos: dict[str, CommInfoBase] = {}
        self._seeded = False

    def __repr__(self) -> str:
        return f"<OandaBroker account={self.o.p.account!r}>"

    # -- engine thread ----------------------------------------------------------------------
    def start(self) -> None:
        """Connect (if the store is not yet), open the journal, then reconcile from its cursor."""
        self.o.start(broker=self)
        super().start()
        unacked = [s.client_id for s in self.journal.local_state().orders.values()
                   if s.status in ("Created", "Submitted") and not s.venue_ids and not s.external]
        wait = max(30.0, 3 * self.o.p.timeout) + self.o.p.restart_grace
        self.o.run(self.o.sync(self.journal.cursor(), unacked, self.journal.cursor(LEDGER)), timeout=wait)

    def instrument(self, data: Any) -> str:
        """OANDA's name of the data's instrument (``EUR_USD``), through resampled/replayed clones."""
        found = self._instrument_of.get(data)
        if found is not None:
            return found
        src = data
        while getattr(src, "_src", None) is not None and not hasattr(src, "oanda_instrument"):
            src = src._src
        return getattr(src, "oanda_instrument", None) or super().instrument(data)

    def getcommissioninfo(self, data: Any) -> CommInfoBase:
        """A scheme set by the user for the data's name, else a margin scheme at OANDA's margin rate."""
        name = getattr(data, "_name", None)
        if name in self.comminfo:
            return super().getcommissioninfo(data)
        instrument = self.instrument(data)
        scheme = self._comminfos.get(instrument)
        if scheme is None:
            scheme = self._comminfos[instrument] = CommInfoBase(
                stocklike=False, automargin=self.o.margin_rate(instrument), commission=0.0
            )
        return scheme

    def _venue_submit(self, order: Any, client_id: str) -> None:
        group = self.group_of(order)
        if group.oco is not None:
            raise OrderRefused(
                "OANDA v20 has no OCO groups of entry orders; use a bracket "
                "(its take-profit and stop-loss cancel each other)"
            )
        if group.parent is None:
            if order.exectype not in ENTRY_TYPES:
                raise OrderRefused(REFUSED.get(order.exectype, f"exectype {order.exectype} is unknown"))
            if not group.transmit:  # a bracket parent: sent with its children
                self._brackets[client_id] = (order, [])
                return
            self._send_request(order, client_id, [])
            return
        entry = self._brackets.get(group.parent)
        if entry is None:
            raise OrderRefused(
                f"bracket parent {group.parent} was already sent: OANDA takes a take-profit/"
                "stop-loss with its entry order only (transmit=False on the parent)"
            )
        entry[1].append((order, client_id))
        if group.transmit:
            del self._brackets[group.parent]
            self._send_request(entry[0], group.parent, entry[1])

    def _send_request(self, order: Any, client_id: str, children: list[tuple[Any, str]]) -> None:
        instrument = self.instrument(order.data)
        try:
            body = order_request(order, client_id, instrument, self.o.precision(instrument), children)
        except (OandaMappingError, OandaError) as exc:
            others = [client_id, *(cid for _, cid in children[:-1])] if children else []
            for cid in others:
                self._put(
                    Kind.ORDER,
                    VenueOrder(
                        instrument, 0.0, status="Rejected", client_id=cid, reason=f"bracket not sent: {exc}"
                    ),
                )
            raise OrderRefused(str(exc)) from None
        cids = [client_id, *(cid for _, cid in children)]
        self.o.write_started(client_id)
        self.o.submit(self._place(body, cids, instrument))

    def _venue_cancel(self, order: Any, client_id: str) -> None:
        self.o.submit(self._cancel(client_id))

    # -- the store's loop ------------------------------------------------------------------
    def _put(self, kind: Kind, payload: Any) -> None:
        self.o.put(kind, payload, self)

    async def _place(self, body: dict[str, Any], cids: list[str], instrument: str) -> None:
        try:
            await self._create(body, cids, instrument)
        finally:
            self.o.write_done(cids)
        await self._catch_up()

    async def _create(self, body: dict[str, Any], cids: list[str], instrument: str) -> None:
        try:
            await self.o.client.create_order(m.OrderRequest.from_json(body))
        except OandaConnectionError as exc:  # outcome unknown: the transactions will say
            self.o.notify(f"order {cids[0]}: {exc}")
        except OandaHTTPError as exc:
            code = exc.reject_reason or exc.error_code or exc.status
            text = exc.error_message or str(exc)
            for cid in cids:
                self._put(
                    Kind.ORDER,
                    VenueOrder(
                        instrument,
                        0.0,
                        status="Rejected",
                        client_id=cid,
                        reason=text if cid == cids[0] else f"bracket parent rejected: {text}",
                        code=code,
                    ),
                )
        except OandaError as exc:
            self.o.notify(f"order {cids[0]}: {exc}")

    async def _cancel(self, client_id: str) -> None:
        try:
            await self.o.client.cancel_order(f"@{client_id}")
        except OandaError as exc:
            self.o.notify(
                f"cancel of {client_id} not done: {exc} (a take-profit or stop-loss exists at OANDA "
                "only once its entry filled; cancel the entry instead)"
            )
        await self._catch_up()

    async def _catch_up(self) -> None:
        try:
            await self.o.catch_up()
        except OandaError as exc:  # the stream or the next reconnect will bring them
            self.o.notify(f"could not fetch the newest transactions: {exc}")

    # -- events (engine thread) ------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        """As the core, plus the cursor/positions ACCOUNT events and fuller rejection texts."""
        if self.journal is None:  # stopped: the next run reconciles whatever still arrives
            return
        if event.kind is Kind.ACCOUNT:
            self._on_oanda_account(event.payload)
            return
        super().on_event(event)
        if event.kind is Kind.ORDER:
            self._fuller_text(event.payload)

    def _fuller_text(self, vo: VenueOrder) -> None:
        """A rejection's fuller text (OANDA's errorMessage, from the write's answer) is kept in
        ``order.info['venue_text']`` even when the reject transaction told the status first."""
        if vo.status != "Rejected" or not vo.client_id or not vo.reason:
            return
        order = self.journal.registry.order(vo.client_id)
        if order is not None and len(vo.reason) > len(str(order.info.get("venue_text", ""))):
            order.info["venue_text"] = vo.reason

    def _on_oanda_account(self, values: Mapping[str, Any]) -> None:
        """The transaction cursor and ledger (journaled), seeded positions, or the account's cash/value."""
        ledger = values.get("ledger")
        if ledger is not None:
            self.journal.set_cursor(str(ledger), name=LEDGER)
            if len(values) == 1:
                return
        cursor = values.get("cursor")
        if cursor is not None:
            current = self.journal.cursor()
            if current is None or int(cursor) > int(current):
                self.journal.set_cursor(str(cursor))
            return
        seeds = values.get("positions")
        if seeds is not None and not self._seeded:
            self._seeded = True
            if self.p.use_positions:
                self._seed(seeds)
        super()._on_account({k: v for k, v in values.items() if k != "positions"})

    def _seed(self, seeds: Mapping[str, tuple[float, float]]) -> None:
        """``use_positions``: positions held at OANDA before this journal's fills start from the venue's."""
        mine = self.journal.positions()
        for instrument, (units, price) in seeds.items():
            if mine.get(instrument):
                continue
            data = self.data_for(instrument)
            target = (
                self.positions[data] if data is not None else self.unmapped.setdefault(instrument, Position())
            )
            target.set(units, price)
            self.store_message(
                f"position {instrument} {units:g} at {price:g} taken from OANDA (use_positions)"
            )
