"""Fifty seeded fault scenarios on IBStore/IBBroker/IBData against the IB sandbox: sockets dropped
between placeOrder and its ack, between an execution and its commission report, between partial
fills and while fills go on, and TWS's 1100/1101/1102; afterwards every order's final state,
every execution (applied once), the position and the cash equal the sandbox's."""

from __future__ import annotations

import pytest
from ib_fault_harness import FAULTS, LOST_TEXT, check_against_venue, make_scenario, run_scenario
from ib_live_kit import sandbox

SEEDS = range(50)


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{s}" for s in SEEDS])
def test_seeded_faults_during_order_flow_end_equal_to_the_sandbox(tmp_path, seed):
    scenario = make_scenario(seed)
    with sandbox(liquidity=scenario.liquidity) as sb:
        strat, broker, journal = run_scenario(sb, scenario, tmp_path)
        check_against_venue(sb, scenario, strat, broker, journal)
        armed_left = len(sb.server.faults.drops)
    drops = sum(s.what.startswith("drop") for s in scenario.steps)
    lost = sum(LOST_TEXT in str(m) for m in strat.messages)
    assert lost == drops - armed_left, f"every drop that fired was noticed and survived; {scenario}"
    assert lost + sum(s.what == "connectivity" for s in scenario.steps) >= 1, f"no fault happened; {scenario}"


def test_the_scenarios_cover_every_fault_and_order_kind():
    steps = [s for seed in SEEDS for s in make_scenario(seed).steps]
    assert {s.what for s in steps} >= set(FAULTS) | {"market", "limit", "stop", "bracket", "cancel"}
    assert make_scenario(7).steps == make_scenario(7).steps  # a seed names one scenario
