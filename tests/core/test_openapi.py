import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_the_schema_generates_without_warnings_and_is_valid_openapi(tmp_path):
    schema_file = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning or error into a failure.
    call_command("spectacular", "--file", str(schema_file), "--validate", "--fail-on-warn")
    schema = yaml.safe_load(schema_file.read_text())

    validate(schema)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/me/",
        "/api/v1/users/{username}/",
        "/api/v1/users/{username}/follow/",
        "/api/v1/users/{username}/followers/",
    ):
        assert path in schema["paths"]
    security_schemes = schema["components"]["securitySchemes"]
    assert {"tokenAuth", "cookieAuth"} <= set(security_schemes)


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client):
    page = client.get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
