"""The JSON shapes of the model: devices, alarms, datapoint values and properties."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .timefmt import iso_z, zoned_local, zoned_utc

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from .model import Alarm, Datapoint, Device, Scenario
    from .options import SimOptions


class Site(Protocol):
    """What rendering needs to know about the simulated SmartServer."""

    scenario: Scenario
    options: SimOptions
    zone: ZoneInfo


def _vocabulary(site: Site, word: str) -> str:
    """Return a state or health word in the case the SmartServer writes it."""
    return word.upper() if site.options.status_case == "upper" else word


def device_object(site: Site, device: Device, *, short: bool = False) -> dict[str, Any]:
    """Return a device as ``/iap/devs`` lists it."""
    status = {
        "state": _vocabulary(site, device.state),
        "health": _vocabulary(site, device.health),
        "connection": device.connection,
        "connectionStatusSince": zoned_local(device.status_since, site.zone),
        "action": None,
        "product": device.type_name,
        "wasProvisioned": device.state == "provisioned",
    }
    body: dict[str, Any] = {
        "id": device.id,
        "name": device.name,
        "category": device.category,
        "status": status,
        "uid": device.uid,
    }
    if short:
        return body
    sc = site.scenario
    body.update(
        {
            "deviceId": sc.device_id(device),
            "scName": sc.sc_name,
            "scId": sc.sc_id,
            "scState": "provisioned",
            "protocol": device.protocol,
            "DID": device.did,
            "SID": sc.sc_id,
            "typeId": device.type_id,
            "deviceTypeName": device.type_name,
            "xifName": device.type_name,
            "firmwareVersion": device.firmware_version,
            "createdOnGlp": True,
            "gpsEnabled": False,
            "installationDate": "2026-03-25",
            "latitude": 52.52,
            "longitude": 13.405,
            "timezone": site.zone.key,
            "assetTag": "",
            "capabilities": {},
        }
    )
    if device.category == "SC":
        body["MACaddress"] = ":".join(
            device.uid[i : i + 2] for i in range(0, 12, 2)
        ).lower()
        body["firmwareVersion"] = site.options.firmware_version
    return body


def alarm_object(site: Site, alarm: Alarm) -> dict[str, Any]:
    """Return an alarm as ``/iap/alarms`` lists it."""
    body: dict[str, Any] = {
        "id": alarm.id,
        "timestamp": zoned_local(alarm.timestamp, site.zone),
        "category": alarm.category,
        "severity": alarm.severity,
        "state": alarm.state,
        "geozone": {"id": 88, "name": "World"},
        "type": alarm.type,
        "details": alarm.details,
        "alarmTargetType": alarm.target_type,
    }
    if alarm.device is not None:
        body["device"] = {
            "id": alarm.device.id,
            "name": alarm.device.name,
            "uid": alarm.device.uid,
            "uidType": "NID",
        }
    if alarm.group is not None:
        body["group"] = {"id": site.scenario.groups[alarm.group], "name": alarm.group}
    return body


def alarm_definition_object(spec: dict[str, Any]) -> dict[str, Any]:
    """Return an alarm condition in the shape of its IAP/MQ configuration."""
    return {
        "handle": str(spec.get("handle", "alarm")),
        "desc": spec.get("desc"),
        "enabled": bool(spec.get("enabled", True)),
        "cat": "alarm",
        "ackd": bool(spec.get("ackd", True)),
        "activation": spec.get("activation"),
        "deactivation": spec.get("deactivation"),
        "message": spec.get("message"),
        "urgent": bool(spec.get("urgent", False)),
        "actions": spec.get("actions"),
        "severity": spec.get("severity"),
    }


def ws_item(site: Site, dp: Datapoint) -> dict[str, Any]:
    """Return the UPD:DATAPOINT item of a datapoint's current value."""
    item: dict[str, Any] = {"datapointQualifier": dp.qualifier, "value": dp.value}
    preset = dp.preset_name()
    if preset is not None and dp.type.kind != "enum":
        item["presetValue"] = preset
    if site.options.ws_timestamps:
        item["timestamp"] = iso_z(dp.timestamp)
    return item


def identity(site: Site, dp: Datapoint) -> dict[str, Any]:
    """Return the fields that name a datapoint in every REST item."""
    device = dp.device
    return {
        "id": dp.uid,
        "dpQualifier": dp.qualifier,
        "deviceId": site.scenario.device_id(device),
        "deviceName": device.name,
        "deviceState": _vocabulary(site, device.state),
        "deviceHealth": _vocabulary(site, device.health),
        "blockName": dp.block,
        "blockIndex": str(dp.index),
        "datapointName": dp.name,
        "name": dp.instance_name,
    }


def value_item(site: Site, dp: Datapoint) -> dict[str, Any]:
    """Return one item of a ``.../value`` GET."""
    item = identity(site, dp)
    item["value"] = dp.value
    item["values"] = dp.levels(site.options.default_priority_level)
    if site.options.value_time_fields == "utc":
        item["utc"] = zoned_utc(dp.timestamp)
        item["local"] = zoned_local(dp.timestamp, site.zone)
    else:
        item["timestamp"] = iso_z(dp.timestamp)
    preset = dp.preset_name()
    if preset is not None:
        item["presetValue"] = preset
    return item


def props_item(site: Site, dp: Datapoint) -> dict[str, Any]:
    """Return one item of a ``.../*`` (all properties) GET."""
    item = value_item(site, dp)
    if not site.options.props_qualifier:
        # The documented property item: the client builds the qualifier itself.
        del item["dpQualifier"]
    item.update(
        {
            "cat": dp.direction,
            "property": False,
            "interfaceType": dp.device.protocol,
            "type": dp.type.wire_name,
            "default": dp.default,
            "monitor": {
                "cat": "data",
                "rate": dp.monitor_rate,
                "report": "change",
                "throttle": 0,
                "inFeedback": True,
            },
            "lon.cfg": {"tag": dict(dp.tags), "unit": dp.unit, "handle": dp.handle},
        }
    )
    if dp.log_interval:
        item["logs"] = [
            {"interval": dp.log_interval, "retention": 366, "logMultiple": 1}
        ]
    presets = dp.all_presets()
    if presets and dp.type.kind != "enum":
        item["presets"] = sorted(presets)
    return item
