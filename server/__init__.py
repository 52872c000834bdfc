"""Ruộng Số server: registry, ingestion, time series and advisories (import-free package root)."""
