"""Every table of the registry database, imported in one place for Alembic and the app."""

from __future__ import annotations

from server import audit
from server.auth import models as auth_models
from server.db import Base
from server.farm import models as app_models
from server.notify import models as notify_models
from server.officer import models as officer_models
from server.registry import areas, models, plantings
from server.technician import models as technician_models
from server.weather import models as weather_models

metadata = Base.metadata
MODULES = (audit, auth_models, areas, models, plantings)
# Tables of the app's screens, migrated with the registry (migrations/versions/0003, 0004).
SCREEN_MODULES = (app_models, officer_models, technician_models, notify_models, weather_models)
# The registry's own tables (other packages may put theirs on the same metadata).
REGISTRY_TABLES = frozenset(
    m.persist_selectable.name  # type: ignore[attr-defined]
    for m in Base.registry.mappers
    if m.class_.__module__ in {x.__name__ for x in MODULES}
)
