"""IB error codes the sandbox exchange sends, with TWS's wording (``{}`` fields filled per case)."""

from __future__ import annotations

__all__ = ["TEXTS", "text"]

TEXTS: dict[int, str] = {
    103: "Duplicate order id",
    104: "Can't modify a filled order.",
    105: "Order being modified does not match original order. {}",
    110: "The price does not conform to the minimum price variation for this contract.",
    200: "No security definition has been found for the request",
    201: "Order rejected - reason:{}",
    202: "Order Canceled - reason:{}",
    321: "Error validating request:-'bO' : cause - {}",
    387: "Unsupported order type for this exchange and security type.",
    10006: "Missing parent order.",
    10147: "OrderId {} that needs to be cancelled is not found.",
    10148: "OrderId {} that needs to be cancelled cannot be cancelled, state: {}.",
}


def text(code: int, *fields: object) -> str:
    """TWS's text for ``code`` with ``fields`` filled in."""
    return TEXTS[code].format(*fields) if fields else TEXTS[code].replace("{}", "")
