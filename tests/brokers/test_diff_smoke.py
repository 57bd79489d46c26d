"""A first end-to-end differential run: market, limit, stop and close against backtrader."""

from _brokerdiff import compare, events

from tradebridge.utils.synthetic import synthetic_ohlcv


def test_basic_cycle_matches_backtrader():
    def plan(s, O):
        n = len(s)
        if n == 3:
            s.buy(size=10)
        elif n == 5:
            s.sell(size=10, exectype=O.Limit, price=s.data.close[0] * 1.01)
        elif n == 9:
            s.sell(size=5, exectype=O.Stop, price=s.data.close[0] * 0.99)
        elif n == 12:
            s.close()

    ours, _ = compare(plan, synthetic_ohlcv(60, seed=3),
                      setup=lambda b: b.setcommission(commission=0.001))
    assert len(events(ours, "trade")) >= 2
