from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from triage.models import RouterSnapshot
from triage.services import router_train


class Command(BaseCommand):
    help = "Retrain the department router from the seed phrases, the topics and every answered question."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seeds-only", action="store_true", help="train on the seed phrases and topics alone (seconds)"
        )
        parser.add_argument("--if-missing", action="store_true", help="do nothing if a router is stored already")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_missing"] and RouterSnapshot.objects.exists():
            self.stdout.write("A router is stored already.")
            return
        snapshot = router_train(seeds_only=options["seeds_only"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained on {snapshot.examples} examples ({snapshot.answered_questions} answered questions)."
            )
        )
