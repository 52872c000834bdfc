"""Channel adapters: each sends one ``Message`` to one person and says how it went.

A channel returns the provider's message id on success and raises ``Retry`` (try again later: the
provider or the network is down, the quota is spent) or ``Permanent`` (this will never work: an
invalid number, a push subscription the browser dropped). The outbox turns those into states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class ChannelError(Exception):
    """A delivery that did not happen; ``str(err)`` is stored as the delivery's last error."""


class Retry(ChannelError):
    """Transient: the worker tries again after a backoff."""


class Permanent(ChannelError):
    """The message can never be delivered this way: the delivery is dead at once."""


@dataclass(frozen=True)
class Message:
    """What one person receives, already worded in their language."""

    delivery_id: int
    alert_id: int
    phone: str  # E.164 (+84…)
    lang: str
    title: str
    body: str
    url: str  # where the farmer app opens it
    date: str  # dd/mm/yyyy, farm time
    push: list[tuple[str, str, str]] = field(default_factory=list)  # (endpoint, p256dh, auth)


class Channel(Protocol):
    name: str

    def send(self, msg: Message) -> str: ...
