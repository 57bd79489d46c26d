"""One client connection of the IB sandbox: bytes in and out, request handlers as a table.

The session owns the socket streams and an outgoing queue drained by one writer task (where
delay and reorder faults act). Decoding is the sans-IO ``ServerProtocol``; venue work is the
server's (``SandboxServer``), so a session holds only what is per-connection: the client id
and its subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..protocol import BadRequest, Hello, ProtocolError, Request, ServerProtocol

if TYPE_CHECKING:
    from .server import SandboxServer

__all__ = ["Session"]

log = logging.getLogger(__name__)

CLIENT_ID_IN_USE = (326, "Unable to connect as the client id is already in use. "
                         "Retry with a unique client id.")
_VALIDATION = 321  # "Error validating request"


class Session:
    """The server side of one TWS API connection."""

    def __init__(self, server: SandboxServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader, self.writer = reader, writer
        self.proto = ServerProtocol(*server.versions)
        self.client_id: int | None = None
        self.ready = False
        self.closed = False
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()  # None: drop here
        self.mkt_data: dict[int, str] = {}         # reqId -> symbol
        self.rt_volume: set[int] = set()           # reqIds that asked for RTVolume (tick 233)
        self.rt_bars: dict[int, str] = {}          # reqId -> symbol
        self.history_live: dict[int, tuple[str, int]] = {}  # keepUpToDate reqId -> (symbol, secs)
        self._writer_task: asyncio.Task[None] | None = None

    # --- outgoing -----------------------------------------------------------------------
    def send(self, name: str, **values: Any) -> None:
        """Queue one message (dropped silently once the connection is closed)."""
        if self.closed:
            return
        try:
            data = self.proto.send(name, **values)
        except ProtocolError:
            log.exception("sandbox: cannot encode %s for client %s", name, self.client_id)
            raise
        self.queue.put_nowait(data)

    def emit(self, message: tuple[str, dict[str, Any]]) -> None:
        """Queue a (name, values) message, as ``messages.event_message`` makes them."""
        self.send(message[0], **message[1])

    def error(self, req_id: int, code: int, text: str) -> None:
        """Send error(reqId, code, text)."""
        self.send("error", reqId=req_id, errorCode=code, errorString=text, advancedOrderRejectJson="")

    async def _write_loop(self) -> None:
        pending: list[bytes] = []
        hold = 0
        while True:
            data = await self.queue.get()
            if data is None:  # a drop marker: what was queued before it goes out first
                try:
                    await self.writer.drain()
                finally:
                    self.queue.task_done()
                    self.drop()
                return
            try:
                cid = self.client_id if self.client_id is not None else -1
                if not hold and (n := self.server.faults.take_reorder(cid)):
                    hold = n
                if hold:
                    pending.append(data)
                    if len(pending) < hold:
                        continue
                    batch, pending, hold = pending[::-1], [], 0
                else:
                    batch = [data]
                delay = self.server.faults.delay_for(cid)
                for item in batch:
                    if delay:
                        await asyncio.sleep(delay)
                    if self.closed:
                        break
                    self.writer.write(item)
                await self.writer.drain()
            except (ConnectionError, RuntimeError):
                self.drop()
            finally:
                self.queue.task_done()

    async def flush(self) -> None:
        """Wait until every queued message has been written or, under a reorder fault, held."""
        if not self.closed:
            await self.queue.join()

    def drop_after_queued(self) -> None:
        """Drop the socket once everything queued so far has been written."""
        if not self.closed:
            self.queue.put_nowait(None)

    def drop(self) -> None:
        """Close the socket abruptly (the client sees the connection reset)."""
        if self.closed:
            return
        self.closed = True
        while not self.queue.empty():  # never to be written: release anyone waiting in flush()
            self.queue.get_nowait()
            self.queue.task_done()
        transport = self.writer.transport
        if transport is not None and not transport.is_closing():
            transport.abort()
        self.server._forget(self)

    # --- incoming -----------------------------------------------------------------------
    async def run(self) -> None:
        """Serve the connection until the client leaves or the socket is dropped."""
        self._writer_task = asyncio.create_task(self._write_loop())
        try:
            while not self.closed:
                data = await self.reader.read(65536)
                if not data:
                    break
                try:
                    events = self.proto.receive_data(data)
                except ProtocolError as exc:
                    log.warning("sandbox: closing a connection: %s", exc)
                    break
                while events:
                    for event in events:
                        self._on_event(event)
                    events = self.proto.receive_data(b"") if self.proto.version else []
        except ConnectionError:
            pass
        finally:
            await self._close()

    async def _close(self) -> None:
        if not self.closed:
            try:
                await asyncio.wait_for(self.flush(), 1.0)
            except TimeoutError:
                pass
        self.drop()
        if self._writer_task is not None:
            self._writer_task.cancel()
        try:
            self.writer.close()
        except RuntimeError:
            pass

    def _on_event(self, event: Hello | Request | BadRequest) -> None:
        if isinstance(event, Hello):
            try:
                reply = self.proto.accept(event, self.server.conn_time())
            except ProtocolError as exc:
                log.warning("sandbox: refusing a client: %s", exc)
                self.drop()
                return
            self.writer.write(reply)
            return
        if isinstance(event, BadRequest):
            req_id = event.values.get("orderId", -1)
            self.error(req_id, _VALIDATION, f"Error validating request: {event.reason}")
            return
        if not self.ready and event.name != "startApi":
            self.error(-1, _VALIDATION, f"Error validating request: {event.name} before startApi")
            return
        handler = _HANDLERS.get(event.name)
        if handler is None:
            self.error(-1, _VALIDATION, f"Error validating request: {event.name} is not supported")
            return
        try:
            handler(self, event.values)
        except Exception as exc:  # a sandbox bug must not kill the connection: report it
            log.exception("sandbox: %s failed", event.name)
            req_id = event.values.get("reqId", event.values.get("orderId", -1))
            self.error(req_id, _VALIDATION, f"Error validating request: {event.name}: "
                                            f"{type(exc).__name__}: {exc}")

    # --- handlers ----------------------------------------------------------------------
    def _start_api(self, v: dict[str, Any]) -> None:
        if self.ready:
            self.error(-1, _VALIDATION, "Error validating request: startApi was already sent")
            return
        client_id = v.get("clientId") or 0
        if self.server._client_in_use(client_id):
            self.error(-1, *CLIENT_ID_IN_USE)
            asyncio.get_running_loop().call_later(0.05, self.drop)
            return
        self.client_id = client_id
        self.ready = True
        self.server._register(self)
        self.send("managedAccounts", accountsList=",".join(self.server.accounts))
        self.send("nextValidId", orderId=self.server.next_order_id(client_id))

    def _req_ids(self, v: dict[str, Any]) -> None:
        self.send("nextValidId", orderId=self.server.next_order_id(self.client_id or 0))

    def _req_managed_accts(self, v: dict[str, Any]) -> None:
        self.send("managedAccounts", accountsList=",".join(self.server.accounts))

    def _req_current_time(self, v: dict[str, Any]) -> None:
        self.send("currentTime", time=int(self.server.now().timestamp()))

    def _req_contract_details(self, v: dict[str, Any]) -> None:
        req_id = v["reqId"]
        found = self.server.find_instruments(v)
        if not found:
            self.error(req_id, 200, "No security definition has been found for the request")
            return
        for inst in found:
            self.send("contractDetails", **self.server.details_values(req_id, inst))
        self.send("contractDetailsEnd", reqId=req_id)

    def _req_historical_data(self, v: dict[str, Any]) -> None:
        self.server.serve_history(self, v)

    def _cancel_historical_data(self, v: dict[str, Any]) -> None:
        self.history_live.pop(v["reqId"], None)

    def _req_head_timestamp(self, v: dict[str, Any]) -> None:
        self.server.serve_head_timestamp(self, v)

    def _req_real_time_bars(self, v: dict[str, Any]) -> None:
        inst = self.server.resolve(self, v["reqId"], v)
        if inst is not None:
            self.rt_bars[v["reqId"]] = inst.symbol

    def _cancel_real_time_bars(self, v: dict[str, Any]) -> None:
        self.rt_bars.pop(v["reqId"], None)

    def _req_mkt_data(self, v: dict[str, Any]) -> None:
        inst = self.server.resolve(self, v["reqId"], v)
        if inst is None:
            return
        self.server.send_quote(self, v["reqId"], inst, first=True)
        if v.get("snapshot") or v.get("regulatorySnapshot"):
            self.send("tickSnapshotEnd", reqId=v["reqId"])
        else:
            self.mkt_data[v["reqId"]] = inst.symbol
            if "233" in (v.get("genericTickList") or "").split(","):
                self.rt_volume.add(v["reqId"])

    def _cancel_mkt_data(self, v: dict[str, Any]) -> None:
        self.mkt_data.pop(v["reqId"], None)
        self.rt_volume.discard(v["reqId"])

    def _req_market_data_type(self, v: dict[str, Any]) -> None:
        for req_id in self.mkt_data:
            self.send("marketDataType", reqId=req_id, marketDataType=1)

    def _place_order(self, v: dict[str, Any]) -> None:
        self.server.place_order(self, v)

    def _cancel_order(self, v: dict[str, Any]) -> None:
        self.server.cancel_order(self, v["orderId"])

    def _req_global_cancel(self, v: dict[str, Any]) -> None:
        self.server.global_cancel(self)

    def _req_open_orders(self, v: dict[str, Any]) -> None:
        self.server.send_open_orders(self, all_clients=False)

    def _req_all_open_orders(self, v: dict[str, Any]) -> None:
        self.server.send_open_orders(self, all_clients=True)

    def _req_auto_open_orders(self, v: dict[str, Any]) -> None:
        if self.client_id != 0:
            self.error(-1, _VALIDATION, "Error validating request: reqAutoOpenOrders needs client id 0")
            return
        self.server.exchange.set_auto_open(0, bool(v.get("autoBind")))

    def _req_completed_orders(self, v: dict[str, Any]) -> None:
        self.server.send_completed_orders(self, api_only=bool(v.get("apiOnly")))

    def _req_executions(self, v: dict[str, Any]) -> None:
        self.server.send_executions(self, v)

    def _req_positions(self, v: dict[str, Any]) -> None:
        self.server.send_positions(self, True)

    def _cancel_positions(self, v: dict[str, Any]) -> None:
        self.server.send_positions(self, False)

    def _req_account_updates(self, v: dict[str, Any]) -> None:
        self.server.send_account(self, v.get("acctCode") or self.server.accounts[0],
                                 bool(v.get("subscribe")))

    def _req_account_summary(self, v: dict[str, Any]) -> None:
        self.server.send_account_summary(self, v["reqId"], v.get("tags") or "")

    def _req_account_updates_multi(self, v: dict[str, Any]) -> None:
        self.server.send_account_multi(self, v["reqId"], v.get("account") or "")

    def _ignore(self, v: dict[str, Any]) -> None:
        """Requests that need no answer (cancel of a finished one-shot request)."""


_HANDLERS: dict[str, Callable[[Session, dict[str, Any]], None]] = {
    "startApi": Session._start_api,
    "reqIds": Session._req_ids,
    "reqManagedAccts": Session._req_managed_accts,
    "reqCurrentTime": Session._req_current_time,
    "reqContractDetails": Session._req_contract_details,
    "reqHistoricalData": Session._req_historical_data,
    "cancelHistoricalData": Session._cancel_historical_data,
    "reqHeadTimeStamp": Session._req_head_timestamp,
    "cancelHeadTimeStamp": Session._ignore,
    "reqRealTimeBars": Session._req_real_time_bars,
    "cancelRealTimeBars": Session._cancel_real_time_bars,
    "reqMktData": Session._req_mkt_data,
    "cancelMktData": Session._cancel_mkt_data,
    "reqMarketDataType": Session._req_market_data_type,
    "placeOrder": Session._place_order,
    "cancelOrder": Session._cancel_order,
    "reqGlobalCancel": Session._req_global_cancel,
    "reqOpenOrders": Session._req_open_orders,
    "reqAllOpenOrders": Session._req_all_open_orders,
    "reqAutoOpenOrders": Session._req_auto_open_orders,
    "reqCompletedOrders": Session._req_completed_orders,
    "reqExecutions": Session._req_executions,
    "reqPositions": Session._req_positions,
    "cancelPositions": Session._cancel_positions,
    "reqAccountUpdates": Session._req_account_updates,
    "reqAccountSummary": Session._req_account_summary,
    "cancelAccountSummary": Session._ignore,
    "reqAccountUpdatesMulti": Session._req_account_updates_multi,
    "cancelAccountUpdatesMulti": Session._ignore,
}
