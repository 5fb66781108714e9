from django.urls import path

from . import views

app_name = "moreinfo"

urlpatterns = [
    path("reference/<int:pk>/", views.article, name="article"),
    path("doctor/more-info/", views.review_list, name="review_list"),
    path("doctor/more-info/<int:pk>/", views.review, name="review"),
    path("doctor/more-info/<int:pk>/approve/", views.approve, name="approve"),
    path("doctor/more-info/<int:pk>/reject/", views.reject, name="reject"),
    path("doctor/more-info/<int:pk>/redraft/", views.redraft, name="redraft"),
]
