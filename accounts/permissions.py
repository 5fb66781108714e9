"""View guards for the two privileged roles. Both answer 403 to signed-in users without the role."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def _role_required(has_role: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


doctor_required = _role_required(lambda user: user.verified_doctor is not None)
moderator_required = _role_required(lambda user: user.is_moderator)
# The operators' pages (figures, audit log, lockouts) are for moderators and for the site's admins.
operator_required = _role_required(lambda user: user.is_moderator or user.is_staff or user.is_superuser)
