from typing import Any

from django.core.management.base import BaseCommand

from triage.services import router_train


class Command(BaseCommand):
    help = "Retrain the department router from the seed phrases, the topics and every answered question."

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = router_train()
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained on {snapshot.examples} examples ({snapshot.answered_questions} answered questions)."
            )
        )
