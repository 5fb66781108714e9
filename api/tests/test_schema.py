"""Schemathesis against the live schema, in-process through WSGI: every operation, a bounded number of
generated requests each (valid and invalid ones), no server error and every response as documented."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import DoctorProfile
from api.models import ApiToken, hash_key
from questions.models import Question
from questions.tests.factories import asked_question

EXAMPLES_PER_OPERATION = 25
DOCTOR_KEY = "mda_schemathesis-doctor-key"

# Loaded from the running application (its /api/openapi.json) when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.auth(refresh_interval=None)
class DoctorKey:
    """Sends the doctor's key; schemathesis leaves it out of the cases that test a missing or bad token."""

    def get(self, case: schemathesis.Case, context: Any) -> str:
        return DOCTOR_KEY

    def set(self, case: schemathesis.Case, data: str, context: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@pytest.fixture
def world(settings, published_question: Question, doctor: DoctorProfile) -> Iterator[None]:
    """A published question to read, waiting ones to claim, and the doctor's token (with a known key)."""
    # Requests go through the real WSGI handler, which closes the database connection when a request ends;
    # that would end the test's transaction, so keep it open as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Thousands of requests from one address: the rate limits have their own tests.
    settings.API_RATE = settings.ASK_RATE = "1000000/m"
    for _ in range(3):
        asked_question(department=published_question.department)
    ApiToken.objects.create(
        user=doctor.user, name="schemathesis", prefix=DOCTOR_KEY[:10], key_hash=hash_key(DOCTOR_KEY)
    )
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case, world: None) -> None:
    case.call_and_validate(
        # The form's rules go beyond what JSON Schema can say (a department that exists, a real e-mail
        # address, confirming the masking of personal data), so some schema-valid requests get a
        # documented 422; every other check runs.
        excluded_checks=[positive_data_acceptance],
        # Werkzeug's test client leaves out REMOTE_ADDR, which every WSGI server sets.
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
