from django.db import models


class RouterSnapshot(models.Model):
    """A trained department router (see triage.routing), stored so every process uses the same one."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    examples = models.PositiveIntegerField(help_text="Training examples: seed phrases and answered questions.")
    answered_questions = models.PositiveIntegerField(help_text="Answered questions among the examples.")
    model = models.JSONField()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"router of {self.created_at:%Y-%m-%d %H:%M} ({self.examples} examples)"
