"""The verified doctor's API tokens page: make a token (its key is shown once) and revoke one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import doctor_required

from . import services
from .forms import ApiTokenForm
from .models import ApiToken


@never_cache
@doctor_required
def tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(user=user, name=form.cleaned_data["name"])
        except services.ApiTokenError as error:
            form.add_error(None, str(error))
        else:
            form = ApiTokenForm()
    # The key is rendered into this one response only; it is not kept anywhere to show again.
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": ApiToken.objects.filter(user=user), "new_key": new_key},
    )


@require_POST
@doctor_required
def revoke(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    pk = request.POST.get("token", "")
    token = ApiToken.objects.filter(pk=int(pk), user=user).first() if pk.isdigit() else None
    if token is None:
        # Another doctor's token answers the same as no token at all, so nothing tells whether it exists.
        messages.error(request, _("You have no such token."))
    else:
        services.api_token_revoke(token=token)
        messages.success(request, _("The token is revoked; programs using it can no longer sign in."))
    return redirect("api_tokens:tokens")
