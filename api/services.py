"""Every write to API tokens goes through these functions."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import ApiToken, hash_key

KEY_PREFIX = "mda_"
# last_used_at is for the doctor's overview; writing it on every request would cost a write per call.
LAST_USED_PRECISION = timedelta(minutes=5)


class ApiTokenError(Exception):
    """The token cannot be made; the message is shown to the user."""


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for a verified doctor. Returns the token and its key, which is not stored anywhere."""
    if user.verified_doctor is None:
        raise ApiTokenError(_("Only verified doctors can have API tokens."))
    name = name.strip()
    if not name:
        raise ApiTokenError(_("Give the token a name."))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=key[:10], key_hash=hash_key(key))
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, key: str) -> User | None:
    """The user of the active token with this key, or None; notes when the token was last used."""
    if not key or len(key) > 200:
        return None
    token = ApiToken.objects.active().select_related("user__doctor_profile").filter(key_hash=hash_key(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
