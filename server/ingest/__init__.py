"""Ingestion of verified, decoded frames from farm gateways."""
