"""Fill the masked public text of questions asked before masking existed."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def scrub_existing(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from triage.scrub import scrub

    Question = apps.get_model("questions", "Question")
    for question in Question.objects.filter(scrubbed_body="").iterator():
        question.scrubbed_title = scrub(question.title)
        question.scrubbed_body = scrub(question.body)
        question.save(update_fields=["scrubbed_title", "scrubbed_body"])


class Migration(migrations.Migration):
    dependencies = [("questions", "0003_triage_fields")]
    operations = [migrations.RunPython(scrub_existing, migrations.RunPython.noop)]
