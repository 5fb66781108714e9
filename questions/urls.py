from django.urls import path, register_converter

from . import doctor_views, moderation_views, views


class TitleSlugConverter:
    """A slug in any script (letters, digits, _ and -), so Chinese titles give readable addresses."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TitleSlugConverter, "title_slug")

app_name = "questions"

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("questions/<int:pk>/", views.detail, name="detail_short"),
    path("questions/<int:pk>/<title_slug:slug>/", views.detail, name="detail"),
    # Follow tokens are URL-safe base64 (secrets.token_urlsafe), which is exactly what a slug allows.
    path("q/<slug:token>/", views.follow, name="follow"),
    path("my/questions/", views.my_questions, name="my_questions"),
    path("doctor/queue/", doctor_views.queue, name="doctor_queue"),
    path("doctor/questions/<int:pk>/", doctor_views.answer, name="doctor_answer"),
    path("doctor/questions/<int:pk>/claim/", doctor_views.claim, name="doctor_claim"),
    path("doctor/questions/<int:pk>/release/", doctor_views.release, name="doctor_release"),
    path("doctor/questions/<int:pk>/title/", doctor_views.set_public_title, name="doctor_title"),
    path("moderate/", moderation_views.dashboard, name="moderate"),
    path("moderate/questions/<int:pk>/", moderation_views.question, name="moderate_question"),
    path("moderate/questions/<int:pk>/move/", moderation_views.move, name="moderate_move"),
    path("moderate/questions/<int:pk>/hide/", moderation_views.hide, name="moderate_hide"),
    path("moderate/questions/<int:pk>/unhide/", moderation_views.unhide, name="moderate_unhide"),
    path("moderate/questions/<int:pk>/title/", moderation_views.set_public_title, name="moderate_title"),
    path("moderate/replies/<int:pk>/hide/", moderation_views.hide_reply, name="moderate_hide_reply"),
    path("moderate/doctors/<int:pk>/verify/", moderation_views.verify_doctor, name="moderate_verify"),
]
