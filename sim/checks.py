"""Every check of a scenario that needs more than its schema, in one place.

:func:`check_simulated` refuses what cannot be simulated at all. The
network-dependent checks (cameras, patrols, access graph, areas) are
gathered by :func:`check_world` and reported together, so ``curtain
validate`` accepts exactly what ``curtain run`` accepts.
"""

from __future__ import annotations

from sim._errors import ScenarioError
from sim.scenario import Scenario


def check_simulated(scenario: Scenario) -> None:
    """Refuse a scenario there is nothing to simulate for (``reads.source = "file"``)."""
    if scenario.reads.source == "file":
        raise ScenarioError(f"{scenario.name}: reads.source is \"file\": there is nothing to simulate; "
                            "use run_scenario (curtain run) or curtain analyze")
