"""SmartServer IoT simulator: IAP/REST + IAP/WS over HTTPS, for tests, benchmarks, demos."""

from .clock import ManualClock, SystemClock
from .errors import NotFoundError, ScenarioError, SimError
from .history import expected_log_entries, hourly_means
from .model import Alarm, Datapoint, Device, Scenario
from .options import SimOptions
from .scenario import build_scenario, load_scenario
from .sim import SmartServerSim
from .sites import default_scenario, default_spec, large_scenario, large_spec

__all__ = [
    "Alarm",
    "Datapoint",
    "Device",
    "ManualClock",
    "NotFoundError",
    "Scenario",
    "ScenarioError",
    "SimError",
    "SimOptions",
    "SmartServerSim",
    "SystemClock",
    "build_scenario",
    "default_scenario",
    "default_spec",
    "expected_log_entries",
    "hourly_means",
    "large_scenario",
    "large_spec",
    "load_scenario",
]
