"""OpenAPI annotations for the app's endpoints: the server core's ``@doc`` decorator."""

from __future__ import annotations

from server.openapi import doc

__all__ = ["doc"]
