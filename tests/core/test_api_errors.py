from django.core.exceptions import ValidationError

from halobuzz.core.api.exceptions import api_exception_handler


def test_a_model_validation_error_from_a_service_is_a_400_with_field_errors():
    error = ValidationError({"title": ["Ensure this value has at most 140 characters."]})
    response = api_exception_handler(error, context={})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["extra"]["fields"] == {
        "title": ["Ensure this value has at most 140 characters."]
    }


def test_a_validation_error_without_fields_is_reported_as_non_field_errors():
    response = api_exception_handler(ValidationError("Not allowed."), context={})
    assert response.status_code == 400
    assert response.data["extra"]["fields"] == {"non_field_errors": ["Not allowed."]}
