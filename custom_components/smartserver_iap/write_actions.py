"""The write_datapoint and relinquish actions, on the entities that write inputs.

Both target entities of the integration. Whatever their platform (a number, a select,
a switch, a light), the entity checks the value and writes through ``writes.py``; an
entity that shows an output or a type Home Assistant does not write refuses with a
``ServiceValidationError`` before anything is sent.

Why not ``service.async_register_platform_entity_service``: it serves the entities of
one entity domain, and these actions serve four (and refuse sensors by name). The
entities come from the integration's platforms the same way, and
``service.entity_service_call`` does the rest, as that helper does.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from homeassistant.core import HassJob, HassJobType, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
from homeassistant.helpers.entity_platform import async_get_platforms
import probatio as vol

from .const import DOMAIN
from .entity import SmartServerControlEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant, ServiceCall
    from homeassistant.helpers.entity import Entity

ATTR_VALUE = "value"
ATTR_PRIORITY = "priority"

SERVICE_WRITE_DATAPOINT = "write_datapoint"
SERVICE_RELINQUISH = "relinquish"

# 1 is the highest priority, 255 the lowest.
PRIORITY = vol.All(vol.Coerce(int), vol.Range(min=1, max=255))

WRITE_DATAPOINT_SCHEMA = cv.make_entity_service_schema(
    {
        # Checked by the entity, so a wrong value gets a translated error.
        vol.Required(ATTR_VALUE): cv.match_all,
        vol.Optional(ATTR_PRIORITY): PRIORITY,
    }
)
RELINQUISH_SCHEMA = cv.make_entity_service_schema(
    {vol.Optional(ATTR_PRIORITY): PRIORITY}
)


def _writer(entity: Entity) -> SmartServerControlEntity:
    if not isinstance(entity, SmartServerControlEntity):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="read_only",
            translation_placeholders={"entity": entity.entity_id},
        )
    return entity


async def _async_write_datapoint(entity: Entity, call: ServiceCall) -> None:
    """Write a value to the entity's datapoint; return once the SmartServer reports it."""
    await _writer(entity).async_write_datapoint(
        call.data[ATTR_VALUE], call.data.get(ATTR_PRIORITY)
    )


async def _async_relinquish(entity: Entity, call: ServiceCall) -> None:
    """Release a priority of the entity's datapoint; the next level takes control."""
    await _writer(entity).async_relinquish(call.data.get(ATTR_PRIORITY))


def _entities(hass: HomeAssistant) -> dict[str, Entity]:
    """Return every entity of the integration, by entity id."""
    entities: dict[str, Entity] = {}
    for platform in async_get_platforms(hass, DOMAIN):
        entities.update(platform.entities)
    return entities


@callback
def async_register_write_actions(hass: HomeAssistant) -> None:
    """Register write_datapoint and relinquish."""
    for name, func, schema in (
        (SERVICE_WRITE_DATAPOINT, _async_write_datapoint, WRITE_DATAPOINT_SCHEMA),
        (SERVICE_RELINQUISH, _async_relinquish, RELINQUISH_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN,
            name,
            partial(
                service.entity_service_call,
                hass,
                partial(_entities, hass),
                HassJob(func),
            ),
            schema,
            job_type=HassJobType.Coroutinefunction,
        )
