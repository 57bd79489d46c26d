"""Client order ids and the order registry: unique, parseable, short; venue ids and externals indexed."""

from __future__ import annotations

import pytest

from tradebridge.live.clientid import MAX_ID_LENGTH, ClientIdGenerator, new_session, parse_client_id
from tradebridge.live.registry import DuplicateOrderError, OrderRegistry, external_key
from tradebridge.live.state import OrderState, VenueOrder


class FakeOrder:
    def __init__(self, ref: int) -> None:
        self.ref = ref


def test_ids_are_unique_sequential_and_parse_back_to_session_and_number() -> None:
    gen = ClientIdGenerator("abcd1234")
    ids = [gen.next() for _ in range(1000)]
    assert ids[0] == "tb-abcd1234-1" and len(set(ids)) == 1000
    assert [parse_client_id(i) for i in ids[:3]] == [("abcd1234", 1), ("abcd1234", 2), ("abcd1234", 3)]


def test_a_generator_restarted_from_the_last_number_never_reuses_an_id() -> None:
    first = ClientIdGenerator("sess0001")
    used = {first.next() for _ in range(5)}
    again = ClientIdGenerator("sess0001", last=first.last)
    assert again.next() not in used


def test_ids_fit_every_venue_limit_even_with_the_longest_session_and_number() -> None:
    longest = ClientIdGenerator("z" * 32).format(10**18 - 1)
    assert len(longest) <= MAX_ID_LENGTH and len(longest) <= 60
    assert parse_client_id(longest) == ("z" * 32, 10**18 - 1)


@pytest.mark.parametrize("foreign", [None, "", "my order", "tb-ab-1", "tb-abcd1234-0", "TB-abcd1234-1",
                                     "tb-abcd1234-1x", "ext:permId=5"])
def test_ids_not_made_by_tradebridge_are_not_parsed_as_ours(foreign: str | None) -> None:
    assert parse_client_id(foreign) is None


def test_a_generator_owns_only_its_own_session_ids() -> None:
    gen = ClientIdGenerator("mine1234")
    assert gen.owns(gen.next())
    assert not gen.owns("tb-other123-1") and not gen.owns("manual")


def test_sessions_are_random_valid_tokens_and_bad_ones_are_refused() -> None:
    sessions = {new_session() for _ in range(50)}
    assert len(sessions) == 50
    for s in sessions:
        ClientIdGenerator(s)
    with pytest.raises(ValueError, match="session"):
        ClientIdGenerator("Bad-Session")
    with pytest.raises(ValueError, match="last"):
        ClientIdGenerator("abcd", last=-1)


def test_registry_finds_an_order_by_client_id_venue_id_and_order_object() -> None:
    reg = OrderRegistry()
    order = FakeOrder(ref=7)
    reg.add(OrderState("tb-abcd-1", "AAPL", 10), order)
    reg.link("tb-abcd-1", {"orderId": 15, "permId": 9001})
    assert reg.find("permId", 9001).client_id == "tb-abcd-1"
    assert reg.find("orderId", "15").venue_ids == {"orderId": "15", "permId": "9001"}
    assert reg.match(None, {"permId": "9001"}).client_id == "tb-abcd-1"
    assert reg.match("tb-abcd-1", {}).instrument == "AAPL"
    assert reg.order("tb-abcd-1") is order and reg.client_id_of(order) == "tb-abcd-1"
    assert reg.find("permId", 1) is None and reg.match("tb-abcd-2", {"permId": "2"}) is None


def test_registering_a_client_id_twice_is_an_error() -> None:
    reg = OrderRegistry()
    reg.add(OrderState("tb-abcd-1", "AAPL", 10))
    with pytest.raises(DuplicateOrderError):
        reg.add(OrderState("tb-abcd-1", "MSFT", 1))


def test_external_orders_are_tracked_once_and_never_adopted() -> None:
    reg = OrderRegistry()
    venue = VenueOrder("EUR.USD", -5000, client_id="manual", venue_ids={"permId": 77})
    tracked = reg.track_external(venue)
    assert tracked.external and tracked.client_id == "ext:permId=77" and tracked.filled == 0
    assert reg.track_external(venue) is tracked and len(reg) == 1
    assert reg.externals() == [tracked] and reg.alive() == []
    with pytest.raises(ValueError, match="never adopted"):
        reg.attach(tracked.client_id, FakeOrder(1))


def test_external_keys_come_from_venue_ids_else_the_client_id() -> None:
    assert external_key("x", {"permId": "5", "orderId": "3"}) == "ext:orderId=3"
    assert external_key("x", {}) == "ext:client=x"
    with pytest.raises(ValueError):
        external_key(None, {})


def test_registry_changes_fields_of_a_known_order_and_names_an_unknown_one() -> None:
    reg = OrderRegistry()
    reg.add(OrderState("tb-abcd-1", "AAPL", 10))
    assert reg.change("tb-abcd-1", status="Partial", filled=4).filled == 4
    assert reg.state("tb-abcd-1").status == "Partial" and [s.client_id for s in reg.alive()] == ["tb-abcd-1"]
    with pytest.raises(KeyError, match="tb-abcd-9"):
        reg.state("tb-abcd-9")
