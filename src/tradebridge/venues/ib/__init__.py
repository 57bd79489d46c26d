"""Interactive Brokers: store, broker and data feed on ib_async, plus a TWS-protocol sandbox (ib_async imported lazily)."""
