"""The extension officer's domain services: field status for the commune map, outbreak density,
review cases and their tables. HTTP handlers live in ``mobile_api/officer``."""
