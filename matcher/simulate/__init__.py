"""Rolling simulation of the weekly work over months, and sweeps of scenarios on Dask.

:func:`simulate` runs one :class:`SimConfig`; :mod:`matcher.simulate.sweep` runs a grid of them;
:mod:`matcher.simulate.report` writes the CSV, PNG and markdown a planner reads.  The model and
the metrics are described in ``docs/simulation.md``.
"""

from matcher.simulate.config import PERIOD_WEEKS, SCENARIO_KEYS, SimConfig
from matcher.simulate.policies import POLICIES, Policy, register_policy
from matcher.simulate.run import SimResult, simulate

__all__ = ["PERIOD_WEEKS", "POLICIES", "Policy", "SCENARIO_KEYS", "SimConfig", "SimResult", "register_policy", "simulate"]
