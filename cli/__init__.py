"""The ``farm`` command line."""
