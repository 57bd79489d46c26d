"""A local TWS API server (sandbox) for tests and paper trading without IB."""
