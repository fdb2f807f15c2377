from django.urls import path

from trust.verification import views

app_name = "verification"

urlpatterns = [
    path("trust/verification/", views.overview, name="overview"),
    path("trust/verification/phone/", views.start_phone, name="start-phone"),
    path("trust/verification/phone/resend/", views.resend_phone_code, name="resend-phone-code"),
    path("trust/verification/phone/confirm/", views.confirm_phone, name="confirm-phone"),
    path("trust/verification/identity/", views.submit_identity, name="submit-identity"),
]
