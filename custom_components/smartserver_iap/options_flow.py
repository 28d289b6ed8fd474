"""Options flow: which devices and datapoints an entry follows, and its settings.

Every provisioned device by default (devices added later included), chosen devices, or
chosen datapoints picked one device at a time, so that a SmartServer with thousands of
datapoints never shows them in one list. Settings (names, the write priority, gap
filling, the takeover check) and which ``SNVT_switch`` inputs are lights have forms of
their own; each part keeps what the others chose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio as vol

from .const import (
    CONF_DATAPOINTS,
    CONF_DEVICES,
    CONF_HISTORY_BACKFILL,
    CONF_PROGRAMMATIC_NAMES,
    CONF_SWITCH_KINDS,
    CONF_TAKEOVER_CHECK,
    CONF_WRITE_PRIORITY,
    DEFAULT_WRITE_PRIORITY,
    DOMAIN,
    LARGE_DATAPOINT_COUNT,
    SWITCH_KIND_LIGHT,
    SWITCH_KIND_SWITCH,
)
from .datapoint_types import SWITCH_TYPES, drives_lamp
from .follow import followed_by_default
from .iap.models import Direction
from .naming import display_names

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .coordinator import SmartServerConfigEntry
    from .iap.models import Datapoint, Device
    from .iap.site import Site

CONF_DEVICE = "device"
CONF_LIGHTS = "lights"
# Options that are settings, not the choice of datapoints: key -> default.
SETTINGS: dict[str, bool | int] = {
    CONF_PROGRAMMATIC_NAMES: False,
    CONF_WRITE_PRIORITY: DEFAULT_WRITE_PRIORITY,
    CONF_HISTORY_BACKFILL: True,
    CONF_TAKEOVER_CHECK: True,
}
# 1 is the highest priority, 255 the lowest.
PRIORITY_SELECTOR = vol.All(
    NumberSelector(
        NumberSelectorConfig(min=1, max=255, step=1, mode=NumberSelectorMode.BOX)
    ),
    vol.Coerce(int),
)


def _device_label(device: Device) -> str:
    return f"{device.name} ({device.type_name})" if device.type_name else device.name


def _multi_select(options: list[SelectOptionDict]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, multiple=True, mode=SelectSelectorMode.DROPDOWN
        )
    )


class SmartServerOptionsFlow(OptionsFlowWithReload):
    """Choose which devices and datapoints the entry follows."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._options: dict[str, Any] = {}
        self._count = 0
        self._chosen: set[str] = set()
        self._device: str = ""

    @property
    def _site(self) -> Site:
        entry: SmartServerConfigEntry = self.config_entry
        return entry.runtime_data.site

    def _sorted_devices(self) -> list[Device]:
        return sorted(self._site.devices.values(), key=lambda d: (d.name, d.id))

    def _followed_of(self, device_ids: Iterable[str]) -> int:
        site = self._site
        return sum(
            followed_by_default(dp)
            for device_id in device_ids
            for dp in site.datapoints_of(device_id)
        )

    # -- what to follow ----------------------------------------------------------------

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Follow everything, chosen devices, or chosen datapoints."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        return self.async_show_menu(
            step_id="init",
            menu_options=[
                "follow_all",
                "choose_devices",
                "choose_datapoints",
                "switch_kinds",
                "settings",
            ],
            description_placeholders={
                "followed": str(len(self._site.subscribed)),
                "devices": str(len(self._site.devices)),
            },
        )

    async def async_step_follow_all(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Follow every provisioned device, including devices added later."""
        self._options = {}
        provisioned = [
            d.id for d in self._site.devices.values() if d.status.is_provisioned
        ]
        return await self._async_done(self._followed_of(provisioned))

    async def async_step_choose_devices(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Follow the outputs and writable inputs of the chosen devices."""
        if user_input is not None:
            chosen: list[str] = user_input[CONF_DEVICES]
            self._options = {CONF_DEVICES: chosen}
            return await self._async_done(self._followed_of(chosen))
        devices = self._sorted_devices()
        default = self.config_entry.options.get(
            CONF_DEVICES, [d.id for d in devices if d.status.is_provisioned]
        )
        return self.async_show_form(
            step_id="choose_devices",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_DEVICES, default=default): _multi_select(
                        [
                            SelectOptionDict(value=d.id, label=_device_label(d))
                            for d in devices
                        ]
                    )
                }
            ),
        )

    # -- single datapoints, one device at a time ---------------------------------------

    async def async_step_choose_datapoints(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Start from what is followed now, then pick a device."""
        site = self._site
        current = self.config_entry.options.get(CONF_DATAPOINTS, site.subscribed)
        self._chosen = {q for q in current if q in site.datapoints}
        return await self.async_step_pick_device()

    async def async_step_pick_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the device whose datapoints to choose next."""
        if user_input is not None:
            self._device = user_input[CONF_DEVICE]
            return await self.async_step_device_datapoints()
        site = self._site
        options = []
        for device in self._sorted_devices():
            qualifiers = [dp.qualifier for dp in site.datapoints_of(device.id)]
            if qualifiers:
                chosen = sum(q in self._chosen for q in qualifiers)
                label = f"{_device_label(device)}: {chosen}/{len(qualifiers)}"
                options.append(SelectOptionDict(value=device.id, label=label))
        return self.async_show_form(
            step_id="pick_device",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_DEVICE): SelectSelector(
                        SelectSelectorConfig(
                            options=options, mode=SelectSelectorMode.DROPDOWN
                        )
                    )
                }
            ),
            description_placeholders={"chosen": str(len(self._chosen))},
        )

    async def async_step_device_datapoints(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose datapoints of one device, inputs included."""
        candidates = self._site.datapoints_of(self._device)
        if user_input is not None:
            self._chosen.difference_update(dp.qualifier for dp in candidates)
            self._chosen.update(user_input[CONF_DATAPOINTS])
            return await self.async_step_datapoints_chosen()
        names = display_names(candidates)
        candidates.sort(key=lambda dp: names[dp.qualifier])
        return self.async_show_form(
            step_id="device_datapoints",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_DATAPOINTS,
                        default=[
                            dp.qualifier
                            for dp in candidates
                            if dp.qualifier in self._chosen
                        ],
                    ): _multi_select(
                        [
                            SelectOptionDict(
                                value=dp.qualifier,
                                label=f"{names[dp.qualifier]} "
                                f"({dp.type_name or '?'}, {dp.direction.value})",
                            )
                            for dp in candidates
                        ]
                    )
                }
            ),
            description_placeholders={
                "device": self._site.devices[self._device].name,
                "available": str(len(candidates)),
            },
        )

    async def async_step_datapoints_chosen(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Go on with another device, or save."""
        return self.async_show_menu(
            step_id="datapoints_chosen",
            menu_options=["pick_device", "save_datapoints"],
            description_placeholders={"chosen": str(len(self._chosen))},
        )

    async def async_step_save_datapoints(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Follow exactly the chosen datapoints."""
        site = self._site
        devices = {site.device_of(q) for q in self._chosen}
        self._options = {
            CONF_DEVICES: sorted(d for d in devices if d is not None),
            CONF_DATAPOINTS: sorted(self._chosen),
        }
        return await self._async_done(len(self._chosen))

    # -- settings ----------------------------------------------------------------------

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the settings; what is followed stays as it is."""
        options = self.config_entry.options
        if user_input is not None:
            followed = {k: v for k, v in options.items() if k not in SETTINGS}
            return self.async_create_entry(data={**followed, **user_input})
        return self.async_show_form(
            step_id="settings",
            data_schema=vol.Schema(
                {
                    vol.Required(key, default=options.get(key, default)): (
                        BooleanSelector()
                        if isinstance(default, bool)
                        else PRIORITY_SELECTOR
                    )
                    for key, default in SETTINGS.items()
                }
            ),
        )

    # -- lights and switches -----------------------------------------------------------

    def _switch_inputs(self) -> list[Datapoint]:
        site = self._site
        return [
            dp
            for dp in (site.datapoints[q] for q in site.subscribed)
            if dp.type_name in SWITCH_TYPES and dp.direction is Direction.INPUT
        ]

    async def async_step_switch_kinds(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose which followed SNVT_switch inputs are lights; the others are switches.

        Only choices that differ from the lamp rule (``drives_lamp``) are stored.
        """
        inputs = self._switch_inputs()
        if not inputs:
            return self.async_abort(reason="no_switch_inputs")
        options = self.config_entry.options
        kinds: dict[str, str] = dict(options.get(CONF_SWITCH_KINDS, {}))
        if user_input is not None:
            lights = set(user_input[CONF_LIGHTS])
            for dp in inputs:
                before = kinds.get(dp.qualifier, _rule(dp))
                now = (
                    SWITCH_KIND_LIGHT if dp.qualifier in lights else SWITCH_KIND_SWITCH
                )
                kinds.pop(dp.qualifier, None)
                if now != _rule(dp):
                    kinds[dp.qualifier] = now
                if now != before:
                    self._forget_entity(dp.qualifier, before)
            return self.async_create_entry(data={**options, CONF_SWITCH_KINDS: kinds})
        names = display_names(inputs)
        inputs.sort(key=lambda dp: (dp.device_name, names[dp.qualifier]))
        return self.async_show_form(
            step_id="switch_kinds",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_LIGHTS,
                        default=[
                            dp.qualifier
                            for dp in inputs
                            if kinds.get(dp.qualifier, _rule(dp)) == SWITCH_KIND_LIGHT
                        ],
                    ): _multi_select(
                        [
                            SelectOptionDict(
                                value=dp.qualifier,
                                label=f"{dp.device_name}: {names[dp.qualifier]}",
                            )
                            for dp in inputs
                        ]
                    )
                }
            ),
            description_placeholders={"count": str(len(inputs))},
        )

    def _forget_entity(self, qualifier: str, domain: str) -> None:
        """Remove the entity a datapoint had on the platform it leaves."""
        registry = er.async_get(self.hass)
        entry: SmartServerConfigEntry = self.config_entry
        unique_id = f"{entry.runtime_data.uid}_{qualifier}"
        if entity_id := registry.async_get_entity_id(domain, DOMAIN, unique_id):
            registry.async_remove(entity_id)

    # -- saving ------------------------------------------------------------------------

    def _save(self) -> ConfigFlowResult:
        """Save the chosen datapoints; the other options stay as they are."""
        kept = {
            key: value
            for key, value in self.config_entry.options.items()
            if key not in (CONF_DEVICES, CONF_DATAPOINTS)
        }
        return self.async_create_entry(data={**kept, **self._options})

    async def _async_done(self, count: int) -> ConfigFlowResult:
        if count > LARGE_DATAPOINT_COUNT:
            self._count = count
            return await self.async_step_confirm_large()
        return self._save()

    async def async_step_confirm_large(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Warn before following a large number of datapoints."""
        if user_input is not None:
            return self._save()
        return self.async_show_form(
            step_id="confirm_large",
            description_placeholders={
                "count": str(self._count),
                "limit": str(LARGE_DATAPOINT_COUNT),
            },
        )


def _rule(datapoint: Datapoint) -> str:
    """Return what the lamp rule makes of a SNVT_switch input."""
    return SWITCH_KIND_LIGHT if drives_lamp(datapoint) else SWITCH_KIND_SWITCH
