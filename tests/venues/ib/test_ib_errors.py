"""IB error codes: each code users meet has a kind, a severity, advice and the right exception."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebridge.venues.ib.errors import (
    CODES,
    KINDS,
    SEVERITIES,
    IBClientIdError,
    IBConnectError,
    IBConnectivityError,
    IBContractNotFoundError,
    IBDataError,
    IBError,
    IBNotSubscribedError,
    IBOrderError,
    IBPacingError,
    classify,
    make_error,
)

EXPECTED = [
    (502, "fatal", IBConnectError),
    (326, "fatal", IBClientIdError),
    (1100, "connectivity", IBConnectivityError),
    (1101, "connectivity", IBConnectivityError),
    (1102, "connectivity", IBConnectivityError),
    (200, "data", IBContractNotFoundError),
    (354, "data", IBNotSubscribedError),
    (10167, "data", IBDataError),
    (10168, "data", IBNotSubscribedError),
    (10089, "data", IBNotSubscribedError),
    (201, "order", IBOrderError),
    (202, "order", IBOrderError),
    (2104, "informational", IBError),
    (2106, "informational", IBError),
    (2158, "informational", IBError),
]


@pytest.mark.parametrize("code,kind,exc", EXPECTED, ids=[str(e[0]) for e in EXPECTED])
def test_each_code_users_meet_has_its_kind_and_exception_class(code, kind, exc):
    info = classify(code)
    assert info.kind == kind
    error = make_error(code, "text from IB", req_id=7)
    assert type(error) is exc and error.code == code and error.req_id == 7
    assert f"IB error {code}" in str(error) and "text from IB" in str(error)


def test_502_message_says_what_to_check_including_every_port():
    message = str(make_error(502, "Couldn't connect to TWS. Confirm that API is enabled."))
    for hint in ("running", "Enable ActiveX and Socket Clients", "7496", "7497", "4001", "4002"):
        assert hint in message
    assert isinstance(make_error(502), ConnectionError)


def test_326_tells_to_choose_another_client_id():
    assert "clientId" in str(make_error(326, "Unable to connect as the client id is already in use."))
    assert classify(326).severity == "fatal"


def test_201_and_202_keep_ibs_reason_in_the_message():
    rejected = make_error(201, "Order rejected - reason:The contract is not available for short sale.")
    assert "not available for short sale" in str(rejected) and rejected.text.endswith("short sale.")
    assert "Cancelled by system" in str(make_error(202, "Order Canceled - reason:Cancelled by system"))


def test_162_is_a_pacing_error_only_when_ib_says_pacing_violation():
    hmds = "Historical Market Data Service error message:"
    pacing = make_error(162, hmds + "Historical data request pacing violation")
    assert isinstance(pacing, IBPacingError) and "60 historical requests" in str(pacing)
    nodata = make_error(162, "Historical Market Data Service error message:HMDS query returned no data: x")
    assert type(nodata) is IBDataError and nodata.info.severity == "info"
    assert classify(162, "API historical data query cancelled: 4").kind == "informational"
    assert type(make_error(162, "something else")) is IBDataError


def test_connectivity_codes_move_datas_to_connbroken_and_back_to_live():
    assert classify(1100).data_status == "CONNBROKEN"
    assert classify(1101).data_status == classify(1102).data_status == "LIVE"
    assert classify(10167).data_status == "DELAYED"
    assert classify(354).data_status == classify(10168).data_status == "NOTSUBSCRIBED"


def test_farm_ok_codes_are_informational_and_need_no_action():
    for code in (2104, 2106, 2158):
        assert classify(code).severity == "info" and "nothing to do" in classify(code).advice


def test_unlisted_codes_fall_back_to_ibs_documented_ranges():
    assert classify(2150).kind == "informational"
    assert classify(1250).kind == "connectivity"
    unknown = classify(9999)
    assert unknown.kind == "request" and unknown.severity == "error"


def test_tables_use_only_known_kinds_and_severities():
    for code, info in CODES.items():
        assert info.code == code and info.kind in KINDS and info.severity in SEVERITIES
        assert issubclass(info.exc, IBError)


@given(st.integers(-1, 20000), st.text(max_size=80))
def test_any_code_and_text_give_an_ib_error_carrying_both(code, text):
    error = make_error(code, text)
    assert isinstance(error, IBError) and error.code == code and error.text == text
    assert error.info.kind in KINDS and error.info.severity in SEVERITIES
