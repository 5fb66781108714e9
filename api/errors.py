"""One shape for every error the API answers: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from questions.services import QuestionActionError

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "invalid",
    429: "rate_limited",
}


class ErrorDetail(Schema):
    code: str = Field(description="Stable, machine-readable: " + ", ".join(sorted(set(CODES.values()))) + ".")
    message: str = Field(description="For people, in the request's language.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per input field, when the input was refused."
    )


class ErrorOut(Schema):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries documenting the errors an operation may answer."""
    return dict.fromkeys(statuses, ErrorOut)


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, *, code: str = "", fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES[status]
        self.message = message
        self.fields = fields or {}

    @classmethod
    def from_form(cls, form: forms.BaseForm) -> ApiError:
        fields = {
            ("request" if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
            for name, messages in form.errors.items()
        }
        return cls(422, _("Some fields are not valid."), fields=fields)


def _respond(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    response = api.create_response(request, body, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    elif error.status == 429:
        # The limits are counted per minute (API_RATE) or per hour (ASK_RATE); a minute is a fair first wait.
        response["Retry-After"] = "60"
    return response


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        # loc is (source, name...) for query and path parameters and (source, parameter, name...) for a body.
        loc = [str(part) for part in error.get("loc", ())]
        parts = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        fields.setdefault(".".join(parts) or "request", []).append(str(error.get("msg", "")))
    return fields


def install(api: NinjaAPI) -> None:
    def on_api_error(request: HttpRequest, exc: ApiError | type[ApiError]) -> HttpResponse:
        assert isinstance(exc, ApiError)
        return _respond(api, request, exc)

    def on_validation(request: HttpRequest, exc: ValidationError | type[ValidationError]) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        error = ApiError(422, _("Some fields are not valid."), fields=_validation_fields(exc.errors))
        return _respond(api, request, error)

    def on_http_error(request: HttpRequest, exc: HttpError | type[HttpError]) -> HttpResponse:
        assert isinstance(exc, HttpError)
        if isinstance(exc, AuthenticationError):
            message = _("Send a valid API token in the header “Authorization: Bearer <token>”.")
        else:
            message = exc.message
        return _respond(api, request, ApiError(exc.status_code, message, code=CODES.get(exc.status_code, "error")))

    def on_not_found(request: HttpRequest, exc: Http404 | type[Http404]) -> HttpResponse:
        return _respond(api, request, ApiError(404, _("Not found.")))

    def on_refused(request: HttpRequest, exc: QuestionActionError | type[QuestionActionError]) -> HttpResponse:
        return _respond(api, request, ApiError(409, str(exc)))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(QuestionActionError, on_refused)
