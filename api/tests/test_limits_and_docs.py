"""The API-wide rate limit, and the schema and docs pages (served from our own static files)."""

from __future__ import annotations

import re

from django.test import Client


def test_too_many_requests_from_one_address_get_429_in_the_error_shape(settings, db: None) -> None:
    settings.API_RATE = "3/m"
    client = Client()
    assert [client.get("/api/departments").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/departments")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "error": {"code": "rate_limited", "message": "Too many requests. Please wait a minute.", "fields": {}}
    }
    # Every operation shares the allowance, including those that need a token.
    assert client.get("/api/doctor/queue").status_code == 429
    assert Client(REMOTE_ADDR="192.0.2.7").get("/api/departments").status_code == 200


def test_the_schema_documents_every_operation_and_the_error_shape(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 12
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]
    for operation in operations:
        assert "429" in operation["responses"]
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert schema["components"]["securitySchemes"]["DoctorToken"] == {"type": "http", "scheme": "bearer"}


def test_the_docs_page_loads_only_our_own_files(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    assert all(url.startswith("/static/") for url in urls), urls
    assert "cdn" not in page.lower()
    # Swagger UI would fetch a validity badge from validator.swagger.io without this.
    assert '"validatorUrl": null' in page
