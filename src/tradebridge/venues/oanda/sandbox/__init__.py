"""The OANDA v20 sandbox: a loopback HTTP server speaking v20 on replayed prices.

``tradebridge sandbox oanda`` runs it; tests use :class:`OandaSandbox` (asyncio) or
:class:`ThreadedOandaSandbox`. Fills follow the backtest broker's matching rules.
"""

from .faults import Faults
from .server import DEFAULT_ACCOUNT, OandaSandbox, SandboxState, ThreadedOandaSandbox

__all__ = ["DEFAULT_ACCOUNT", "Faults", "OandaSandbox", "SandboxState", "ThreadedOandaSandbox"]
