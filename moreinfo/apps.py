from django.apps import AppConfig


class MoreInfoConfig(AppConfig):
    name = "moreinfo"
    verbose_name = "More Info"
