"""Venue adapters (ib, oanda, vc): each a folder with store, broker, data feed and sandbox."""
