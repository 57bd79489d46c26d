"""Strategies for the sweep tests, loaded from this file as the CLI loads a user's file, so
workers rebuild them from source (no importable module needed)."""

import time

import tradebridge as bt


class Cross(bt.Strategy):
    params = (("fast", 5), ("slow", 20), ("boom", 0), ("pause", 0.0))

    def __init__(self):
        self.x = bt.ind.CrossOver(bt.ind.SMA(period=self.p.fast), bt.ind.SMA(period=self.p.slow))

    def next(self):
        if self.p.fast == self.p.boom:
            raise RuntimeError(f"boom at fast={self.p.fast}")
        if not self.position and self.x > 0:
            self.buy()
        elif self.position and self.x < 0:
            self.close()

    def stop(self):
        if self.p.pause:
            time.sleep(self.p.pause)


class Exposure(bt.Analyzer):
    """Bars in the market, nested to prove flattening."""

    def start(self):
        self.rets["bars"] = {"in": 0, "out": 0}

    def next(self):
        self.rets["bars"]["in" if self.strategy.position else "out"] += 1
