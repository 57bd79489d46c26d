"""Test kit for the OANDA sandbox: an httpx client whose every answer is checked against the v20
spec (the operation's documented response, and each transaction/order by its own definition)."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from tradebridge.venues.oanda import spec
from tradebridge.venues.oanda.sandbox import OandaSandbox

try:
    spec.spec_path()
    SPEC_MISSING = ""
except spec.SpecNotFoundError as exc:
    SPEC_MISSING = str(exc)

needs_spec = pytest.mark.skipif(bool(SPEC_MISSING), reason=SPEC_MISSING or "spec present")


def aio(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on a fresh event loop."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(fn(*args, **kwargs), 30))

    return run


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str, int]]:
    out = []
    for path in spec.load_spec()["paths"]:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", path)
        out.append((re.compile("^/v3" + pattern + "$"), path, path.count("{")))
    return out


def template_of(path: str, method: str) -> str:
    """The spec's path template for a concrete /v3 path (literal segments win over parameters)."""
    found = [
        (n, t)
        for rx, t, n in _templates()
        if rx.match(path) and method.lower() in spec.load_spec()["paths"][t]
    ]
    if not found:
        raise AssertionError(f"{method} {path} is not a v20 operation")
    return min(found)[1]


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def check_items(payload: Any) -> int:
    """Validate every transaction and order inside ``payload`` by its type's definition; how many."""
    names = set(spec.definition_names())
    seen = 0
    if isinstance(payload, dict):
        kind = payload.get("type")
        if isinstance(kind, str) and "accountID" in payload and "batchID" in payload:
            name = _camel(kind) + "Transaction"
            assert name in names, f"no definition for transaction type {kind}"
            spec.validate(name, _without_client_order_id(payload))
            seen += 1
        elif isinstance(kind, str) and "createTime" in payload and "state" in payload:
            spec.validate(_camel(kind) + "Order", payload)
            seen += 1
        for value in payload.values():
            seen += check_items(value)
    elif isinstance(payload, list):
        for value in payload:
            seen += check_items(value)
    return seen


def _without_client_order_id(payload: Any) -> Any:
    """v20.json gives ``clientOrderID`` the format of OANDA's numeric order ids (a fault of the
    file: it carries the client's own id, e.g. "tb-abc-1"); check the rest of the payload."""
    if isinstance(payload, dict):
        return {k: _without_client_order_id(v) for k, v in payload.items() if k != "clientOrderID"}
    if isinstance(payload, list):
        return [_without_client_order_id(v) for v in payload]
    return payload


def check_response(method: str, path: str, status: int, payload: Any) -> None:
    """The answer fits the operation's documented response and each item its definition."""
    if status in (401, 429, 503):
        assert "errorMessage" in payload
        return
    spec.validate_response(template_of(path, method), method, status, _without_client_order_id(payload))
    check_items(payload)


class Checked:
    """Counts the responses checked against the spec."""

    def __init__(self) -> None:
        self.count = 0

    async def hook(self, response: httpx.Response) -> None:
        if response.headers.get("content-type", "").startswith("application/json"):
            await response.aread()
            check_response(
                response.request.method, response.request.url.path, response.status_code, response.json()
            )
            self.count += 1


def client(
    sb: OandaSandbox, token: str = "any-token", checked: Checked | None = None, **kwargs: Any
) -> httpx.AsyncClient:
    """An async client on the sandbox; with spec checks on every JSON answer (unless the spec is absent)."""
    hooks = {"response": [checked.hook]} if checked is not None and not SPEC_MISSING else {}
    return httpx.AsyncClient(
        base_url=sb.url, headers={"Authorization": f"Bearer {token}"}, event_hooks=hooks, timeout=10, **kwargs
    )


class Api:
    """Short calls for the account's endpoints."""

    def __init__(self, c: httpx.AsyncClient, account_id: str) -> None:
        self.c, self.a = c, f"/v3/accounts/{account_id}"

    async def order(self, **order: Any) -> httpx.Response:
        return await self.c.post(self.a + "/orders", json={"order": order})

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.c.get(self.a + path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def put(self, path: str, body: Any = None) -> httpx.Response:
        return await self.c.put(self.a + path, json=body)

    async def quote(self, name: str) -> tuple[float, float]:
        price = (await self.get("/pricing", instruments=name))["prices"][0]
        return float(price["bids"][0]["price"]), float(price["asks"][0]["price"])
