"""What the farm gateway and the server share, and nothing else: node-health thresholds, quality
flags, the sensor channel catalogue and the farm's time zone (``node_limits``, ``quality``,
``channels``, ``timezone``), and the languages with how each writes numbers and dates
(``language``).

The Raspberry Pi gateway installs this package with ``gateway/`` (and the node's wire codec in
``firmware/lib``); it must stay free of Flask, SQLAlchemy and every server module, which the import
contracts in ``pyproject.toml`` check on every test run.
"""
