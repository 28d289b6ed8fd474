"""The LON standard types (SNVTs) the simulator knows: value kind, unit, enum, presets."""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Any, Literal

type Kind = Literal["number", "int", "enum", "switch"]

TYPE_SCOPE = "0000000000000000-0"


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """What the simulator needs to know about one datapoint type."""

    name: str
    kind: Kind
    unit: str = ""
    enum: tuple[str, ...] = ()
    presets: dict[str, Any] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None

    @property
    def wire_name(self) -> str:
        """Return the type as the ``type`` property reports it."""
        return f"{TYPE_SCOPE}/{self.name}"

    def validate(self, value: Any) -> Any:
        """Return the value normalised for this type; raise ValueError when invalid."""
        if self.kind == "enum":
            if not isinstance(value, str) or value not in self.enum:
                raise ValueError(f"{value!r} is not a member of {self.name}")
            return value
        if self.kind == "switch":
            if not isinstance(value, dict) or set(value) != {"value", "state"}:
                raise ValueError(f"{self.name} needs an object {{value, state}}")
            level = _number(value["value"], self.name)
            state = value["state"]
            if isinstance(state, bool) or state not in (-1, 0, 1):
                raise ValueError(f"{self.name}.state must be -1, 0 or 1")
            if not 0.0 <= level <= 100.0:
                raise ValueError(f"{self.name}.value must be within 0..100")
            return {"value": level, "state": state}
        number = _number(value, self.name)
        if self.kind == "int" and number != int(number):
            raise ValueError(f"{self.name} needs an integer")
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{value!r} is below the minimum of {self.name}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{value!r} is above the maximum of {self.name}")
        return int(number) if self.kind == "int" else value

    def definition(self) -> dict[str, Any]:
        """Return the body of ``/iap/dp/types?dpTypeName=...``."""
        body: dict[str, Any] = {
            "name": self.name,
            "type": self.wire_name,
            "kind": self.kind,
        }
        if self.unit:
            body["unit"] = self.unit
        if self.enum:
            body["enum"] = list(self.enum)
        if self.kind == "switch":
            body["fields"] = [{"name": "value", "unit": "%"}, {"name": "state"}]
        if self.minimum is not None:
            body["min"] = self.minimum
        if self.maximum is not None:
            body["max"] = self.maximum
        return body


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} needs a number")  # noqa: TRY004 - callers map ValueError to HTTP 400
    if not math.isfinite(value):
        raise ValueError(f"{name} needs a finite number")
    return float(value)


_HVAC = (
    "HVAC_AUTO", "HVAC_HEAT", "HVAC_MRNG_WRMUP", "HVAC_COOL", "HVAC_NIGHT_PURGE",
    "HVAC_PRE_COOL", "HVAC_OFF", "HVAC_TEST", "HVAC_EMERG_HEAT", "HVAC_FAN_ONLY",
    "HVAC_FREE_COOL", "HVAC_ICE", "HVAC_MAX_HEAT", "HVAC_ECONOMY", "HVAC_DEHUMID",
    "HVAC_CALIBRATE", "HVAC_EMERG_COOL", "HVAC_EMERG_STEAM", "HVAC_NUL",
)  # fmt: skip
_OCC = ("OC_OCCUPIED", "OC_UNOCCUPIED", "OC_BYPASS", "OC_STANDBY", "OC_NUL")

TYPES: dict[str, TypeInfo] = {
    t.name: t
    for t in (
        TypeInfo("SNVT_temp_p", "number", "°C", minimum=-273.17, maximum=327.66),
        TypeInfo("SNVT_temp", "number", "°C", minimum=-274.0, maximum=6279.5),
        TypeInfo("SNVT_lev_percent", "number", "%", minimum=-163.84, maximum=163.83),
        TypeInfo("SNVT_power", "number", "W", minimum=0.0, maximum=6553.5),
        TypeInfo("SNVT_power_kilo", "number", "kW", minimum=0.0, maximum=6553.5),
        TypeInfo("SNVT_elec_kwh", "number", "kWh", minimum=0.0, maximum=65535.0),
        TypeInfo("SNVT_elec_kwh_l", "number", "kWh", minimum=0.0, maximum=214748364.7),
        TypeInfo("SNVT_volt", "number", "V", minimum=-3276.8, maximum=3276.7),
        TypeInfo("SNVT_volt_f", "number", "V"),
        TypeInfo("SNVT_amp", "number", "A", minimum=-3276.8, maximum=3276.7),
        TypeInfo("SNVT_lux", "number", "lux", minimum=0.0, maximum=65335.0),
        TypeInfo("SNVT_flow", "number", "l/s", minimum=0.0, maximum=65534.0),
        TypeInfo("SNVT_press_p", "number", "Pa", minimum=-32768.0, maximum=32766.0),
        TypeInfo("SNVT_ppm", "number", "ppm", minimum=0.0, maximum=65535.0),
        TypeInfo("SNVT_speed", "number", "m/s", minimum=0.0, maximum=6553.5),
        TypeInfo("SNVT_time_sec", "number", "s", minimum=0.0, maximum=6553.4),
        TypeInfo("SNVT_time_hour", "int", "h", minimum=0.0, maximum=65535.0),
        TypeInfo("SNVT_vol_kilo", "number", "kl", minimum=0.0, maximum=6553.5),
        TypeInfo("SNVT_count", "int", "", minimum=0.0, maximum=65535.0),
        TypeInfo("SNVT_count_32", "int", "", minimum=0.0, maximum=4294967294.0),
        TypeInfo(
            "SNVT_switch",
            "switch",
            "",
            presets={
                "ON": {"value": 100.0, "state": 1},
                "OFF": {"value": 0.0, "state": 0},
            },
        ),
        TypeInfo("SNVT_occupancy", "enum", "", _OCC, {v: v for v in _OCC}),
        TypeInfo("SNVT_hvac_mode", "enum", "", _HVAC, {v: v for v in _HVAC}),
    )
}


def lookup_type(name: str) -> TypeInfo:
    """Return the type by SNVT name; an unknown name is modelled as a plain number."""
    return TYPES.get(name) or TypeInfo(name, "number")
