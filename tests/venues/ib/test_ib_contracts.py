"""IBData dataname parsing: backtrader's forms, params as defaults, round trips, clear errors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebridge.venues.ib.contracts import SECTYPES, IBContract, IBContractError, parse_dataname

FORMS = [
    ("AAPL", IBContract("AAPL", "STK", "SMART", "")),
    ("AAPL-STK", IBContract("AAPL", "STK", "SMART", "")),
    ("AAPL-STK-SMART", IBContract("AAPL", "STK", "SMART", "")),
    ("AAPL-STK-SMART-USD", IBContract("AAPL", "STK", "SMART", "USD")),
    ("EUR.USD-CASH-IDEALPRO", IBContract("EUR", "CASH", "IDEALPRO", "USD")),
    ("EUR.USD-CASH", IBContract("EUR", "CASH", "IDEALPRO", "USD")),
    ("XAUUSD-CMDTY-SMART-USD", IBContract("XAUUSD", "CMDTY", "SMART", "USD")),
    ("SPX-IND-CBOE", IBContract("SPX", "IND", "CBOE", "")),
    ("SPX-IND-CBOE-USD", IBContract("SPX", "IND", "CBOE", "USD")),
    ("IBDE30-CFD", IBContract("IBDE30", "CFD", "SMART", "")),
    ("IBDE30-CFD-SMART-EUR", IBContract("IBDE30", "CFD", "SMART", "EUR")),
    ("ES-202612-GLOBEX", IBContract("ES", "FUT", "GLOBEX", "", "202612")),
    ("ES-202612-GLOBEX-USD", IBContract("ES", "FUT", "GLOBEX", "USD", "202612")),
    ("ES-202612-GLOBEX-USD-50", IBContract("ES", "FUT", "GLOBEX", "USD", "202612", multiplier="50")),
    ("ES-FUT-GLOBEX-USD-202612-50", IBContract("ES", "FUT", "GLOBEX", "USD", "202612", multiplier="50")),
    ("SPY-20261218-SMART-USD-450-C", IBContract("SPY", "OPT", "SMART", "USD", "20261218", 450.0, "C")),
    ("SPY-20261218-SMART-USD-450-C-100",
     IBContract("SPY", "OPT", "SMART", "USD", "20261218", 450.0, "C", "100")),
    ("SPY-OPT-SMART-USD-20261218-452.5-PUT",
     IBContract("SPY", "OPT", "SMART", "USD", "20261218", 452.5, "P")),
    ("ES-202612-GLOBEX-USD-6000-P-50", IBContract("ES", "FOP", "GLOBEX", "USD", "202612", 6000.0, "P", "50")),
    ("ES-FOP-GLOBEX-USD-202612-6000-C", IBContract("ES", "FOP", "GLOBEX", "USD", "202612", 6000.0, "C")),
]


@pytest.mark.parametrize("dataname,expected", FORMS, ids=[f[0] for f in FORMS])
def test_each_backtrader_dataname_form_parses_to_its_contract(dataname, expected):
    assert parse_dataname(dataname) == expected


def test_params_fill_the_parts_a_short_dataname_leaves_out():
    assert parse_dataname("BMW", sectype="STK", exchange="IBIS", currency="EUR") == IBContract(
        "BMW", "STK", "IBIS", "EUR")
    assert parse_dataname("BMW-STK", exchange="ibis", currency="eur").exchange == "IBIS"
    assert parse_dataname("DAX", sectype="IND", exchange="EUREX").sectype == "IND"
    assert parse_dataname("AAPL-STK-ISLAND", currency="USD") == IBContract("AAPL", "STK", "ISLAND", "USD")


def test_forex_pair_without_dot_and_explicit_exchange_param():
    assert parse_dataname("EURUSD-CASH") == IBContract("EUR", "CASH", "IDEALPRO", "USD")
    assert parse_dataname("GBP.JPY", sectype="CASH") == IBContract("GBP", "CASH", "IDEALPRO", "JPY")
    assert parse_dataname("EUR.USD-CASH", exchange="IDEAL").exchange == "IDEAL"


BAD = [
    ("", "dataname"),
    ("AAPL-XYZ", "sectype"),
    ("AAPL-STK-SMART-US", "currency"),
    ("AAPL-STK-SMART-USD-EXTRA", "trailing part"),
    ("ES-202613-GLOBEX-USD", "expiry"),
    ("ES-20260231-GLOBEX-USD-1-C", "expiry"),
    ("ES-FUT-GLOBEX-USD", "expiry"),
    ("SPY-20261218-SMART-USD-abc-C", "strike"),
    ("SPY-20261218-SMART-USD--5-C", "strike"),
    ("SPY-20261218-SMART-USD-450-X", "right"),
    ("SPY-OPT-SMART-USD-20261218-450", "right"),
    ("ES-202612-GLOBEX-USD-zero", "multiplier"),
    ("ES-202612-GLOBEX-USD-0", "multiplier"),
    ("EURX-CASH", "forex pair"),
    ("EUR.US1-CASH", "forex pair"),
    ("EUR.USD-CASH-IDEALPRO-GBP", "currency"),
    ("-STK", "symbol"),
    ("AAPL--SMART", "sectype"),
]


@pytest.mark.parametrize("dataname,part", BAD, ids=[b[0] or "empty" for b in BAD])
def test_bad_dataname_error_names_the_dataname_and_the_bad_part(dataname, part):
    with pytest.raises(IBContractError) as info:
        parse_dataname(dataname)
    assert info.value.part == part
    assert repr(dataname) in str(info.value) and part in str(info.value)


def test_bad_sectype_param_is_reported_like_a_bad_dataname_part():
    with pytest.raises(IBContractError, match="sectype 'SHARES'"):
        parse_dataname("AAPL", sectype="SHARES")


def test_to_ib_builds_an_ib_async_contract_with_every_field():
    from ib_async import Contract

    contract = parse_dataname("SPY-20261218-SMART-USD-450-C-100").to_ib()
    assert isinstance(contract, Contract)
    got = (contract.secType, contract.symbol, contract.exchange, contract.currency)
    assert got == ("OPT", "SPY", "SMART", "USD")
    assert (contract.lastTradeDateOrContractMonth, contract.strike, contract.right, contract.multiplier) == (
        "20261218", 450.0, "C", "100")


def test_importing_the_ib_modules_does_not_import_ib_async():
    import subprocess
    import sys

    code = ("import sys, tradebridge, tradebridge.venues.ib.contracts, tradebridge.venues.ib.mapping, "
            "tradebridge.venues.ib.errors, tradebridge.venues.ib.history; print('ib_async' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


_sym = st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True)
_cur = st.sampled_from(["USD", "EUR", "GBP", "JPY", "CHF"])
_exch = st.sampled_from(["SMART", "GLOBEX", "IDEALPRO", "CBOE", "ISLAND", "NYMEX"])
_month = st.dates(min_value=__import__("datetime").date(2000, 1, 1)).map(lambda d: d.strftime("%Y%m"))
_day = st.dates(min_value=__import__("datetime").date(2000, 1, 1)).map(lambda d: d.strftime("%Y%m%d"))
_strike = st.integers(1, 100000).map(lambda n: n / 4)
_mult = st.sampled_from(["", "50", "100", "1000", "0.1"])
_plain = st.builds(IBContract, _sym, st.sampled_from(["STK", "CFD", "IND", "CMDTY", "BOND"]), _exch,
                   st.sampled_from(["", "USD", "EUR"]))
_fx = st.builds(lambda a, b, e: IBContract(a, "CASH", e, b), _cur, _cur, _exch)
_fut = st.builds(lambda s, e, c, m, mult: IBContract(s, "FUT", e, c, m, multiplier=mult if c else ""),
                 _sym, _exch, st.sampled_from(["", "USD"]), st.one_of(_month, _day), _mult)
_opt = st.builds(lambda s, e, c, d, k, r, mult, kind: IBContract(s, kind, e, c, d, k, r, mult),
                 _sym, _exch, _cur, st.one_of(_month, _day), _strike, st.sampled_from("CP"), _mult,
                 st.sampled_from(["OPT", "FOP"]))


@given(st.one_of(_plain, _fx, _fut, _opt))
def test_every_contract_round_trips_through_its_canonical_dataname(contract):
    assert parse_dataname(contract.dataname) == contract


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_a_contract_error_naming_it(text):
    try:
        contract = parse_dataname(text)
    except IBContractError as exc:
        assert repr(text.strip()) in str(exc) or repr(str(text)) in str(exc)
    else:
        assert contract.sectype in SECTYPES and contract.symbol
        assert parse_dataname(contract.dataname) == contract


def test_a_future_with_multiplier_but_no_currency_has_no_dataname_and_says_why():
    with pytest.raises(IBContractError, match="currency"):
        _ = IBContract("ES", "FUT", "GLOBEX", "", "202612", multiplier="50").dataname
