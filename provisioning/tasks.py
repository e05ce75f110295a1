"""Provisioning jobs (public schema)."""

from __future__ import annotations

import dramatiq

from provisioning import schemas, services


# Failures inside a step are recorded and undone by the service; a retry here is only for the
# worker losing the database or the broker mid-job, and the job resumes where it stopped.
@dramatiq.actor(actor_name="provisioning.job_run", time_limit=15 * 60_000, max_retries=3, queue_name="provisioning")
def provisioning_job_run(*, job_id: int) -> None:
    services.job_run(job_id=job_id)


@dramatiq.actor(actor_name="provisioning.pool_top_up", time_limit=30 * 60_000, max_retries=3, queue_name="pool")
def pool_top_up() -> None:
    schemas.pool_top_up()


# Backups and restore (issue 8): declared with the other provisioning actors.
from provisioning import backup_tasks  # noqa: E402, F401
