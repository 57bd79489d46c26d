"""OANDA v20: typed payload models, a thin async client on httpx (imported only by the client), a sandbox."""
