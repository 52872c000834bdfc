"""Exception types of the advisory package."""

from __future__ import annotations


class AdvisoryInputError(ValueError):
    """An input is outside its physical or documented range; the message names it."""
