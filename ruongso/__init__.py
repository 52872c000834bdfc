"""The composition root: the one place that knows every package and wires them into the app.

``ruongso.app.create_app`` reads the settings, opens the adapters (registry database, time-series
store, blob store), builds the domain services of ``server/`` and registers the HTTP blueprints of
``server/`` and ``mobile_api/``. Nothing imports this package except entry points (the ``farm``
command, gunicorn, the tests), so ``server/`` never needs to know that ``mobile_api/`` exists.
"""
