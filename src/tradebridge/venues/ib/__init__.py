"""Interactive Brokers: store, broker and data feed on ib_async, and a TWS-protocol sandbox.

Nothing here imports ib_async at import time.
"""
