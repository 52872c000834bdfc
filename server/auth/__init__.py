"""Authentication (phone + password sessions, API tokens, CSRF) and the access policy.

For app developers: ``login_required``, ``roles_required``, ``current_user()``, ``public``,
``Role``, ``CurrentUser``; every visibility rule is in ``server.auth.policy``.
"""

from server.auth.guard import current_user, login_required, public, roles_required
from server.auth.roles import CurrentUser, Role

__all__ = ["CurrentUser", "Role", "current_user", "login_required", "public", "roles_required"]
