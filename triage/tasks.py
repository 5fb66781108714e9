from django_tasks import task

from . import services


@task()
def retrain_router_if_stale() -> None:
    """Queued after each published reply: retrain the department router every ROUTER_RETRAIN_EVERY answers."""
    services.router_retrain_if_stale()
