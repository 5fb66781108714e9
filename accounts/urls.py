from django.contrib.auth import views as auth_views
from django.urls import path

from config.ratelimits import rate_limited

from . import views

app_name = "accounts"

urlpatterns = [
    path(
        "accounts/login/",
        rate_limited(group="login", rate_setting="LOGIN_RATE", method="POST")(auth_views.LoginView.as_view()),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/doctor/", views.doctor_signup, name="doctor_signup"),
    path("doctors/<int:pk>/", views.doctor_detail, name="doctor"),
]
