"""Agronomic advisories for Ruộng Số: pure functions, no Flask, no database, no network.

Modules (one job each): ``et0`` (FAO-56 reference ET), ``kc`` (crop coefficients),
``water_balance`` and ``irrigation`` (root-zone balance and advice), ``wetness`` and
``disease`` (weather-driven disease risk), ``compliance`` (pesticide rules, harvest lock),
``lots`` (lot codes), ``vietgap`` (self-assessment checklist), ``cli`` (``farm advise``).
"""
