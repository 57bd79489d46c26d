"""One exception tree for the OANDA client: each error names the endpoint, the HTTP status and OANDA's words.

``OandaError`` is the base. HTTP answers map by status (:data:`STATUS_ERRORS`); an answer that
carries a ``*RejectTransaction`` is an :class:`OandaRejectError` whatever its status. Network
failures are :class:`OandaConnectionError` (also a ``ConnectionError``, so the live core's
reconnect policy retries them). No message ever contains the access token: messages are built
here from the endpoint, the status and the venue's JSON fields only.
"""

from __future__ import annotations

from .models import ErrorResponse

__all__ = ["STATUS_ERRORS", "OandaAuthError", "OandaBadRequestError", "OandaConnectionError", "OandaError",
           "OandaHTTPError", "OandaNotFoundError", "OandaProtocolError", "OandaRateLimitError",
           "OandaRejectError", "OandaServerError", "OandaStreamError", "error_for"]


class OandaError(Exception):
    """Base of every error the OANDA client raises."""

    def __init__(self, message: str, endpoint: str = "") -> None:
        super().__init__(message)
        self.endpoint = endpoint


class OandaConnectionError(OandaError, ConnectionError):
    """The venue could not be reached (or stopped answering); for writes the outcome is unknown."""


class OandaProtocolError(OandaError):
    """The venue answered something that is not v20 (not JSON, or not the expected shape)."""


class OandaStreamError(OandaError):
    """A stream could not be (re)opened within the reconnect policy."""


class OandaHTTPError(OandaError):
    """An HTTP error answer; ``status``, ``error_code``, ``error_message`` and ``response`` say what."""

    def __init__(self, endpoint: str, status: int, response: ErrorResponse | None, attempts: int = 1) -> None:
        self.status = status
        self.response = response
        self.error_code = response.error_code if response else None
        self.error_message = response.error_message if response else None
        self.reject_reason = response.reject_reason if response else None
        self.attempts = attempts
        super().__init__(self._describe(endpoint), endpoint)

    def _describe(self, endpoint: str) -> str:
        parts = [f"{endpoint}: HTTP {self.status}"]
        if self.error_code:
            parts.append(self.error_code)
        if self.error_message:
            parts.append(self.error_message)
        text = " ".join(parts[:2]) + (f": {parts[2]}" if len(parts) > 2 else "")
        if self.reject_reason and self.reject_reason != self.error_code:
            text += f" (rejectReason {self.reject_reason})"
        if self.attempts > 1:
            text += f" after {self.attempts} attempts"
        return text


class OandaBadRequestError(OandaHTTPError):
    """400: the request is wrong (a field, a value)."""


class OandaAuthError(OandaHTTPError):
    """401/403: the token is missing, wrong, or not allowed on this account."""


class OandaNotFoundError(OandaHTTPError):
    """404: no such account, instrument, order or trade."""


class OandaRejectError(OandaHTTPError):
    """The venue refused an order or change: ``reject_reason`` and ``response.reject_transaction`` say why."""


class OandaRateLimitError(OandaHTTPError):
    """429 answered on every attempt the retry policy allows."""


class OandaServerError(OandaHTTPError):
    """5xx answered on every attempt the retry policy allows (or once, where retrying is unsafe)."""


STATUS_ERRORS: dict[int, type[OandaHTTPError]] = {
    400: OandaBadRequestError, 401: OandaAuthError, 403: OandaAuthError, 404: OandaNotFoundError,
    405: OandaBadRequestError, 416: OandaBadRequestError, 429: OandaRateLimitError,
}


def error_for(endpoint: str, status: int, body: object, attempts: int = 1) -> OandaHTTPError:
    """The exception for an error answer (``body``: the decoded JSON, or None when it was not JSON)."""
    try:
        response = ErrorResponse.from_json(body) if isinstance(body, dict) else None
    except ValueError:
        response = None
    if response is not None and response.reject_transaction is not None:
        return OandaRejectError(endpoint, status, response, attempts)
    cls = STATUS_ERRORS.get(status, OandaServerError if status >= 500 else OandaHTTPError)
    return cls(endpoint, status, response, attempts)
