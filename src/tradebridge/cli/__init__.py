"""The ``tradebridge`` command line (``tradebridge backtest STRATEGY.py --data FILE.csv``)."""
