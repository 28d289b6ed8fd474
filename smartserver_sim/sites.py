"""The sites the simulator ships: the default office building, large generated sites, one-meter sites."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .scenario import build_scenario

if TYPE_CHECKING:
    from .model import Scenario


def _dp(name: str, type_: str, direction: str = "out", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "direction": direction, **extra}


def _sine(
    base: float, amp: float, period: float = 86400.0, **kw: Any
) -> dict[str, Any]:
    return {"kind": "sine", "base": base, "amplitude": amp, "period": period, **kw}


def _walk(base: float, amp: float, step: float = 900.0, **kw: Any) -> dict[str, Any]:
    return {"kind": "random_walk", "base": base, "amplitude": amp, "step": step, **kw}


def _thermostat(name: str, phase: float) -> dict[str, Any]:
    return {
        "name": name,
        "type": "TC-100 Room Controller",
        "blocks": [
            {
                "name": "Thermostat",
                "index": 0,
                "datapoints": [
                    _dp("nvoSpaceTemp", "SNVT_temp_p", generator=_sine(21.5, 1.5, phase=phase, interval=60), monitor=30, log=900),
                    _dp("nvoHumidity", "SNVT_lev_percent", generator=_walk(45, 10, interval=60), log=900),
                    _dp("nviSetpoint", "SNVT_temp_p", "in", initial=21.0, presets={"Comfort": 21.0, "Eco": 18.0}),
                    _dp("nvoEffectSetpt", "SNVT_temp_p", initial=21.0, follows="nviSetpoint"),
                    _dp("nviHVACMode", "SNVT_hvac_mode", "in", initial="HVAC_AUTO"),
                    _dp("nvoHVACMode", "SNVT_hvac_mode", initial="HVAC_AUTO", follows="nviHVACMode"),
                    _dp("nvoValvePos", "SNVT_lev_percent", generator=_walk(40, 30, step=1800, interval=60, digits=1), log=900),
                ],
            }
        ],
    }  # fmt: skip


def _lamp_block(index: int, channels: int) -> dict[str, Any]:
    points: list[dict[str, Any]] = []
    for ch in range(channels):
        points.append(_dp(f"nviLamp[{ch}]", "SNVT_switch", "in"))
        points.append(_dp(f"nvoLampFb[{ch}]", "SNVT_switch", follows=f"nviLamp[{ch}]"))
    return {"name": "Lamp", "index": index, "datapoints": points}


def default_spec() -> dict[str, Any]:
    """Return the mapping of the default scenario (a small office building)."""
    return {
        "scId": "17q4bn7",
        "scName": "SmartServer IoT",
        "seed": 20261128,
        "smartserver": {"name": "SmartServer IoT", "uid": "00D07111EA6B", "firmwareVersion": "4.4.021"},
        "users": {"apollo": "apollo"},
        "devices": [
            _thermostat("Thermostat Büro 1", 0.0),
            _thermostat("Thermostat Meeting Room", 1.0),
            {
                "name": "Lighting Büro 1/2",
                "type": "LC-4 Lighting Controller",
                "blocks": [
                    _lamp_block(0, 2),
                    {"name": "Light Sensor", "index": 0, "datapoints": [
                        _dp("nvoLuxLevel", "SNVT_lux", generator=_sine(400, 350, interval=60, digits=0), monitor=60, log=60),
                        _dp("nvoSwitchCount", "SNVT_count", generator={"kind": "counter", "start": 100, "rate": 2, "digits": 0}),
                    ]},
                ],
            },
            {
                "name": "Lighting Meeting Room",
                "type": "LC-4 Lighting Controller",
                "blocks": [_lamp_block(0, 1), _lamp_block(1, 1)],
            },
            {
                "name": "Energy Meter",
                "type": "EM-300 Energy Meter",
                "blocks": [
                    {"name": "Meter", "index": 0, "datapoints": [
                        _dp("nvoPowerTotal", "SNVT_power", generator=_walk(2500, 1500, step=600, interval=10, digits=1), monitor=10, log=60),
                        _dp("nvoEnergy", "SNVT_elec_kwh", generator={"kind": "counter", "start": 12000.0, "rate": 2.5, "digits": 1}, log=900),
                    ]},
                    *[
                        {"name": "Phase", "index": ph, "datapoints": [
                            _dp("nvoVoltage", "SNVT_volt", generator={"kind": "random", "base": 230.0, "amplitude": 3.0, "interval": 10, "digits": 1}),
                            _dp("nvoCurrent", "SNVT_amp", generator=_walk(3.6, 2.0, step=600, interval=10, digits=1)),
                            _dp("nvoPower", "SNVT_power", generator=_walk(830, 500, step=600, interval=10, digits=1)),
                        ]}
                        for ph in range(3)
                    ],
                ],
            },
            {
                "name": "Water Meter",
                "type": "WM-20 Water Meter",
                "blocks": [{"name": "Meter", "index": 0, "datapoints": [
                    _dp("nvoFlow", "SNVT_flow", generator=_walk(0.2, 0.2, step=300, interval=10, digits=3), log=900),
                    _dp("nvoPulseCount", "SNVT_count", generator={"kind": "counter", "start": 0, "rate": 600, "digits": 0, "wrap": 65536}),
                    _dp("nvoVolume", "SNVT_vol_kilo", generator={"kind": "counter", "start": 1234.5, "rate": 0.06, "interval": 60, "digits": 1}, log=900),
                    _dp("nvoPressure", "SNVT_press_p", generator=_walk(300000 / 100, 200, digits=0)),
                ]}],
            },
            {
                "name": "Präsenzmelder Büro 1",
                "type": "OS-2 Occupancy Sensor",
                "blocks": [{"name": "Büro 1", "index": 0, "datapoints": [
                    _dp("nvoOccupancy", "SNVT_occupancy", generator={"kind": "cycle", "values": ["OC_OCCUPIED", "OC_UNOCCUPIED"], "period": 1800}, monitor=15, log=900),
                    _dp("nvoLuxLevel", "SNVT_lux", generator=_sine(350, 300, interval=60, digits=0)),
                    _dp("nviTimeout", "SNVT_time_sec", "in", initial=300.0, instanceName="Occupancy Timeout"),
                ]}],
            },
            {
                "name": "Air Quality Meeting Room",
                "type": "AQ-5 Air Quality Sensor",
                "blocks": [{"name": "AirQuality", "index": 0, "datapoints": [
                    _dp("nvoCO2", "SNVT_ppm", generator=_walk(650, 300, step=900, interval=60, digits=0), monitor=60, log=900),
                    _dp("nvoTemp", "SNVT_temp_p", generator=_sine(22.0, 1.0, phase=0.5, interval=60)),
                    _dp("nvoHumidity", "SNVT_lev_percent", generator=_walk(50, 8, interval=60)),
                    _dp("nvoPressure", "SNVT_press_p", generator=_walk(20, 10, digits=1)),
                    _dp("nvoAirSpeed", "SNVT_speed", generator=_walk(0.3, 0.2, digits=2)),
                ]}],
            },
            {
                "name": "AHU Controller",
                "type": "AHU-1 Air Handling Unit",
                "blocks": [{"name": "Fan", "index": 0, "datapoints": [
                    _dp("nviFanEnable", "SNVT_switch", "in", initial={"value": 100.0, "state": 1}),
                    _dp("nviHVACMode", "SNVT_hvac_mode", "in", initial="HVAC_AUTO"),
                    _dp("nvoHVACMode", "SNVT_hvac_mode", initial="HVAC_AUTO", follows="nviHVACMode"),
                    _dp("nvoAirFlow", "SNVT_flow", generator=_walk(350, 100, digits=1), log=900),
                    _dp("nvoSupplyTemp", "SNVT_temp_p", generator=_sine(18.0, 2.0, interval=60)),
                    _dp("nvoReturnTemp", "SNVT_temp_p", generator=_sine(22.0, 1.0, interval=60)),
                    _dp("nvoDuctPressure", "SNVT_press_p", generator=_walk(250, 40, digits=0)),
                    _dp("nvoFanRunTime", "SNVT_time_hour", generator={"kind": "counter", "start": 1200, "rate": 1, "interval": 60, "digits": 0}),
                ]}],
            },
            {
                "name": "Roof Weather Station",
                "type": "WS-3 Weather Station",
                "health": "down",
                "connection": "disconnected",
                "blocks": [{"name": "Weather", "index": 0, "datapoints": [
                    _dp("nvoOutdoorTemp", "SNVT_temp_p", generator=_sine(8.0, 6.0, phase=2.0, interval=60), log=900),
                    _dp("nvoWindSpeed", "SNVT_speed", generator=_walk(4.0, 3.5, digits=1)),
                    _dp("nvoOutdoorLux", "SNVT_lux", generator=_sine(20000, 20000, digits=0)),
                ]}],
            },
            {
                "name": "Spare Lighting Node",
                "type": "LC-4 Lighting Controller",
                "state": "unprovisioned",
                "health": "nascent",
                "connection": "disconnected",
                "blocks": [_lamp_block(0, 1)],
            },
        ],
        "alarms": [
            {"device": "Roof Weather Station", "type": "Device down", "details": "Device Roof Weather Station does not respond", "severity": "Major Fault", "category": "System-HW"},
        ],
        "alarm_definitions": [
            {"handle": "supply_temp_high", "desc": "AHU supply air too hot", "activation": 'gt("17q4bn7/lon/10.1/Fan/0/nvoSupplyTemp", 28)', "deactivation": 'lt("17q4bn7/lon/10.1/Fan/0/nvoSupplyTemp", 26)', "message": "Supply air at {value} °C", "urgent": False, "severity": "Minor Fault"},
        ],
    }  # fmt: skip


def default_scenario(*, name: str | None = None, uid: str | None = None) -> Scenario:
    """Return a fresh default scenario: a small office building, ~60 datapoints.

    ``name`` and ``uid`` replace the SmartServer's (a second one beside the first).
    """
    return build_scenario(default_spec(), name=name, uid=uid)


def large_spec(
    devices: int, datapoints_per_device: int, *, seed: int = 7
) -> dict[str, Any]:
    """Return the mapping of a generated site of N devices × M datapoints."""
    return {
        "scId": "b3nch01",
        "seed": seed,
        "users": {"apollo": "apollo"},
        "devices": [
            {
                "name": f"Node {n:05d}",
                "type": "Bench Node",
                "blocks": [{"name": "Sensor", "index": 0, "datapoints": [
                    _dp(f"nvoValue{m}", "SNVT_temp_p", generator=_walk(20, 5, step=600, interval=5))
                    for m in range(datapoints_per_device)
                ]}],
            }
            for n in range(devices)
        ],
    }  # fmt: skip


def meter_spec(datapoints: list[dict[str, Any]], *, sc_id: str) -> dict[str, Any]:
    """Return a site with one device, ``Meter``, whose block ``Meter`` has ``datapoints``.

    Each datapoint is a scenario mapping (name, type, generator, log, ...).
    """
    return {
        "scId": sc_id,
        "users": {"apollo": "apollo"},
        "devices": [
            {
                "name": "Meter",
                "blocks": [{"name": "Meter", "index": 0, "datapoints": datapoints}],
            }
        ],
    }


def large_scenario(devices: int = 100, datapoints_per_device: int = 10) -> Scenario:
    """Return a generated scenario for benchmarks."""
    return build_scenario(large_spec(devices, datapoints_per_device))
