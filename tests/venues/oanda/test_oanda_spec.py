"""The v20 spec validator, and proof that every model's JSON fits OANDA's published definitions."""

from __future__ import annotations

import typing
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oanda_strategies import RESPONSES, TYPE_VALUES, definition, models, spec_or_skip_reason

from tradebridge.venues.oanda import models as m
from tradebridge.venues.oanda import spec
from tradebridge.venues.oanda.codec import Model, fields_of

SPEC, WHY = spec_or_skip_reason()
pytestmark = pytest.mark.skipif(SPEC is None, reason=WHY)

DEFINED = [
    cls
    for cls in vars(m).values()
    if isinstance(cls, type)
    and issubclass(cls, Model)
    and cls is not Model
    and not cls.__name__.startswith("_")
    and cls not in RESPONSES
]

_JSON_TYPE = {str: "string", Decimal: "string", int: "integer", bool: "boolean"}


def _definitions_of(cls: type[Model]) -> list[str]:
    return sorted({definition(cls, kind) for kind in TYPE_VALUES.get(cls, [None])})


def _schema_type(prop: dict) -> str:
    if "$ref" in prop:
        return "object"
    return prop["type"]


def _hint_type(hint) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is not None and type(None) in typing.get_args(hint):
        hint = args[0]
    if typing.get_origin(hint) is tuple:
        return "array"
    if isinstance(hint, type) and issubclass(hint, Model):
        return "object"
    return _JSON_TYPE[hint]


@pytest.mark.parametrize("cls", DEFINED, ids=lambda c: c.__name__)
def test_every_model_field_is_a_spec_property_of_the_same_json_type(cls):
    names = _definitions_of(cls)
    props: dict[str, dict] = {}
    for name in names:
        assert name in SPEC["definitions"], f"{cls.__name__}: no definition {name}"
        props.update(SPEC["definitions"][name]["properties"])
    hints = typing.get_type_hints(cls)
    for field in fields_of(cls):
        assert field.key in props, f"{cls.__name__}.{field.attr} -> {field.key} is in none of {names}"
        assert _schema_type(props[field.key]) == _hint_type(hints[field.attr]), f"{cls.__name__}.{field.key}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("cls", DEFINED, ids=lambda c: c.__name__)
def test_model_json_validates_against_its_definition(cls, data):
    obj = data.draw(models(cls, SPEC))
    spec.validate_model(obj)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("cls", list(RESPONSES), ids=lambda c: c.__name__)
def test_response_model_json_validates_against_the_documented_answer(cls, data):
    obj = data.draw(models(cls, SPEC))
    payload = obj.to_json()
    if cls is m.WriteResponse:
        payload["orderCreateTransaction"] = {
            "id": "4",
            "type": "MARKET_ORDER",
            "instrument": "EUR_USD",
            "units": "10",
        }
    spec.validate_response(*RESPONSES[cls], payload)


@pytest.mark.parametrize(
    "name,payload,message",
    [
        (
            "Candlestick",
            {"time": "yesterday"},
            "Candlestick.time: 'yesterday' is not an RFC 3339 or UNIX time",
        ),
        ("Candlestick", {"mid": {"o": 1.1}}, "Candlestick.mid.o: 1.1 is not of type 'string'"),
        ("Candlestick", {"mid": {"o": "1.1e3"}}, "Candlestick.mid.o: '1.1e3' is not a decimal string"),
        ("Candlestick", {"volume": "3"}, "Candlestick.volume: '3' is not of type 'integer'"),
        ("MarketOrder", {"state": "OPEN"}, "MarketOrder.state: 'OPEN' is not one of"),
        (
            "OrderFillTransaction",
            {"id": "1", "type": "MARKET_ORDER"},
            "OrderFillTransaction.type: 'MARKET_ORDER' should be 'ORDER_FILL'",
        ),
        ("OrderFillTransaction", {"id": "x1"}, "OrderFillTransaction.id: 'x1' is not a numeric id"),
        ("ClientPrice", {"instrument": "EURUSD"}, "ClientPrice.instrument: 'EURUSD' is not an instrument"),
        ("AccountSummary", {"id": "abc"}, "AccountSummary.id: 'abc' is not an account id"),
        (
            "Account",
            {"trades": [{"price": "1.0"}, {"price": "x"}]},
            "Account.trades[1].price: 'x' is not a decimal",
        ),
        ("NoSuchThing", {}, "no definition 'NoSuchThing' in the v20 spec"),
    ],
)
def test_validate_names_definition_and_path_of_the_fault(name, payload, message):
    with pytest.raises(spec.SpecError) as info:
        spec.validate(name, payload)
    assert str(info.value).startswith(message)


def test_validate_response_refuses_undocumented_status_and_operation():
    with pytest.raises(spec.SpecError, match="documents no 418 answer"):
        spec.validate_response("/accounts/{accountID}/orders", "post", 418, {})
    with pytest.raises(spec.SpecError, match="no operation GET /nowhere"):
        spec.validate_response("/nowhere", "get", 200, {})
    with pytest.raises(spec.SpecError, match=r"changes\.transactions\[0\]\.id: 'x' is not a numeric id"):
        spec.validate_response(
            "/accounts/{accountID}/changes", "get", 200, {"changes": {"transactions": [{"id": "x"}]}}
        )


def test_known_fault_int_parameter_type_is_read_as_integer():
    assert SPEC["parameters"]["mt4ServerIDPathParam"]["type"] == "integer"


def test_known_fault_client_ids_are_not_held_to_oandas_numeric_id_format():
    spec.validate("OrderCancelTransaction", {"id": "7", "type": "ORDER_CANCEL", "clientOrderID": "tb-abc-1"})
    spec.validate("MarketOrderDelayedTradeClose", {"clientTradeID": "my-trade"})
    with pytest.raises(spec.SpecError, match="'tb-1' is not a numeric id"):
        spec.validate("OrderCancelTransaction", {"id": "7", "type": "ORDER_CANCEL", "orderID": "tb-1"})


def test_known_fault_duplicate_operation_id_is_refused_by_name():
    with pytest.raises(spec.SpecError, match="'getInstrumentCandles' is ambiguous"):
        spec.operation("getInstrumentCandles")
    assert spec.operation("getAccountChanges") == ("/accounts/{accountID}/changes", "get")


def test_known_fault_undeclared_path_parameters_come_from_the_path():
    path = "/accounts/{accountID}/instruments/{instrument}/candles"
    declared = {p.get("name") for p in SPEC["paths"][path]["get"]["parameters"]}
    assert "accountID" not in declared
    assert spec.path_parameters(path) == ["accountID", "instrument"]


def test_spec_path_follows_the_environment(monkeypatch, tmp_path):
    copy = tmp_path / "v20.json"
    copy.write_bytes(spec.spec_path().read_bytes())
    monkeypatch.setenv(spec.ENV, str(copy))
    assert spec.spec_path() == copy


def test_missing_spec_says_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setenv(spec.ENV, str(tmp_path / "absent.json"))
    monkeypatch.setattr(spec, "_REPO", tmp_path / "repo")
    with pytest.raises(spec.SpecNotFoundError, match=r"absent\.json.*TRADEBRIDGE_V20_SPEC"):
        spec.spec_path()


def test_the_package_never_reads_the_spec_at_import(tmp_path):
    import subprocess
    import sys

    code = (
        "import os; os.environ['TRADEBRIDGE_V20_SPEC']='/nonexistent';"
        "import tradebridge, tradebridge.venues.oanda.models, tradebridge.venues.oanda.granularity, sys;"
        "assert 'jsonschema' not in sys.modules and 'httpx' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(tmp_path))
