"""API tokens for the personas, and a client that sends one."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import DoctorProfile
from api.services import api_token_create


def bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def key_for(doctor: DoctorProfile) -> str:
    return api_token_create(user=doctor.user, name="test program")[1]


@pytest.fixture
def doctor_key(doctor: DoctorProfile) -> str:
    return key_for(doctor)


@pytest.fixture
def other_doctor_key(other_doctor: DoctorProfile) -> str:
    return key_for(other_doctor)


@pytest.fixture
def second_doctor_key(second_doctor: DoctorProfile) -> str:
    return key_for(second_doctor)
