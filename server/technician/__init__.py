"""The technician's domain services: probe calibration, node configs, fleet health and the
gateways' own health reports. HTTP handlers live in ``mobile_api/technician``."""
