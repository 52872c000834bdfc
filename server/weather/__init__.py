"""The weather ahead from a public forecast API (Open-Meteo-compatible JSON), cached per location.

``openmeteo`` speaks the API and validates every number of an answer; ``models`` is the cache
table; ``coordinator`` is the one place with I/O (HTTP and the database). The advice built on the
forecast is pure and lives in ``server.advisory.forecast_risk`` and ``server.advisory.spray_window``.
"""
