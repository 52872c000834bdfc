"""Every table of the registry database, imported in one place for Alembic and the app."""

from __future__ import annotations

from server import audit
from server.auth import models as auth_models
from server.db import Base
from server.registry import areas, models, plantings

metadata = Base.metadata
MODULES = (audit, auth_models, areas, models, plantings)
