"""Farm registry: cooperatives, farms, fields, gateways and nodes."""
