"""An order's ``valid`` maps to GTC, DAY or GTD-at-a-UTC-time the same way for every venue."""

import datetime as dt

import pytest

from orders._orderfake import daily
from tradebridge.live.validity import validity
from tradebridge.orders.order import BuyOrder, Order
from tradebridge.utils.dates import UTC, as_utc


def _order(valid):
    return BuyOrder(data=daily(3), size=1, exectype=Order.Limit, price=99.0, valid=valid)


@pytest.mark.parametrize(("valid", "tif"), [(None, "GTC"), (Order.DAY, "DAY"), (0, "DAY")])
def test_none_is_good_till_cancelled_and_day_or_zero_is_the_day(valid, tif):
    assert validity(_order(valid)) == (tif, None)


def test_a_datetime_is_good_till_that_time_in_utc():
    tif, until = validity(_order(dt.datetime(2020, 1, 5, 15, 30)))
    assert (tif, until) == ("GTD", dt.datetime(2020, 1, 5, 15, 30, tzinfo=UTC))


def test_as_utc_takes_naive_times_as_utc_and_a_date_as_its_midnight():
    assert as_utc(dt.date(2026, 1, 2)) == dt.datetime(2026, 1, 2, tzinfo=UTC)
    aware = dt.datetime(2026, 1, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert as_utc(aware) == dt.datetime(2026, 1, 2, 8, tzinfo=UTC)
