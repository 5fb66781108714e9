from typing import Any

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, Any]:
    """Expose the signed-in user's roles to every template (for the navigation)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_doctor": False, "is_moderator": False}
    return {"is_doctor": user.verified_doctor is not None, "is_moderator": user.is_moderator}
