"""Options flow: which devices and datapoints an entry follows, and the takeover check.

Every provisioned device by default (devices added later included), chosen devices, or
chosen datapoints picked one device at a time, so that a SmartServer with thousands of
datapoints never shows them in one list. The takeover check (on by default) can be
switched off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio as vol

from .const import (
    CONF_DATAPOINTS,
    CONF_DEVICES,
    CONF_TAKEOVER_CHECK,
    LARGE_DATAPOINT_COUNT,
)
from .iap.models import Direction
from .naming import display_names

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .coordinator import SmartServerConfigEntry
    from .iap.models import Device
    from .iap.site import Site

CONF_DEVICE = "device"


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

    def _outputs_of(self, device_ids: Iterable[str]) -> int:
        site = self._site
        return sum(
            dp.direction is Direction.OUTPUT
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
                "takeover_check",
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
        return await self._async_done(self._outputs_of(provisioned))

    async def async_step_choose_devices(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Follow every output datapoint of the chosen devices."""
        if user_input is not None:
            chosen: list[str] = user_input[CONF_DEVICES]
            self._options = {CONF_DEVICES: chosen}
            return await self._async_done(self._outputs_of(chosen))
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

    # -- the live link -----------------------------------------------------------------

    async def async_step_takeover_check(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Switch the check for another session's takeover of the subscription."""
        current = self.config_entry.options
        if user_input is not None:
            return self.async_create_entry(
                data={**current, CONF_TAKEOVER_CHECK: user_input[CONF_TAKEOVER_CHECK]}
            )
        return self.async_show_form(
            step_id="takeover_check",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_TAKEOVER_CHECK,
                        default=current.get(CONF_TAKEOVER_CHECK, True),
                    ): bool
                }
            ),
        )

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
