"""Notifications that reach people (issue 18): one outbox for every channel.

An officer's area alert becomes, for each person it reaches, an in-app inbox item (at once) and one
delivery row per extra channel the person chose (Web Push, SMS, Zalo ZNS). Deliveries move through
``queued → sent`` or ``queued → failed → (retry with backoff) → … → dead``; a withdrawn alert
cancels what is still waiting. The worker (``server.notify.worker.drain``, run by
``farm server notify``) sends what is due through the channel adapters in ``server.notify.channels``.
"""
