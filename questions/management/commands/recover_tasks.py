"""manage.py recover_tasks: queue again the tasks that a killed task worker left unfinished.

Every task of MedAnswers is idempotent (it brings something up to date), so running one twice is
harmless, while losing one leaves a question unindexed. On Redis (RQ), a job whose worker died is
declared abandoned by RQ about a minute and a half later and moved to the failed jobs; this command
puts those back in their queue. With --all-workers-stopped (run before starting the workers, as
scripts/prod and scripts/run do) every job still marked as running is treated as abandoned at once;
this is also the only way to recover the database queue of the embedded default, which records no
heartbeat.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

TEN_YEARS = 10 * 365 * 24 * 3600


class Command(BaseCommand):
    help = "Queue again the tasks left unfinished by a task worker that was killed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-workers-stopped",
            action="store_true",
            help="no worker is running now: every task marked as running was abandoned",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        name = type(backend).__name__
        if name == "RQBackend":
            requeued = self._recover_rq(backend.queues, all_stopped=options["all_workers_stopped"])
        elif name == "DatabaseBackend":
            requeued = self._recover_database(all_stopped=options["all_workers_stopped"])
        else:
            requeued = 0
        self.stdout.write(f"Requeued {requeued} abandoned task(s).")

    def _recover_rq(self, queue_names: Any, *, all_stopped: bool) -> int:
        import django_rq
        from django_tasks_rq import Job
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        requeued = 0
        for queue_name in sorted(queue_names):
            queue = django_rq.get_queue(queue_name, job_class=Job)
            # RQ moves jobs whose worker stopped sending heartbeats to the failed jobs, as "abandoned".
            cutoff = time.time() + TEN_YEARS if all_stopped else None
            StartedJobRegistry(queue=queue).cleanup(timestamp=cutoff)
            failed = FailedJobRegistry(queue=queue)
            for job_id in failed.get_job_ids():
                job = queue.fetch_job(job_id)
                result = job.latest_result() if job is not None else None
                if result is not None and "AbandonedJobError" in (result.exc_string or ""):
                    failed.requeue(job_id)
                    requeued += 1
        return requeued

    def _recover_database(self, *, all_stopped: bool) -> int:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        if not all_stopped:
            return 0
        return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
