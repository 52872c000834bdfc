"""Farm gateway: verified intake of node frames, durable outbox, forwarding to the server."""
