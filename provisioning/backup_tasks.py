"""Backup jobs (public schema): one actor runs any backup job; the scheduler sends the others."""

from __future__ import annotations

import dramatiq
from django.conf import settings

from provisioning import backups


# The service records failures itself; a retry here is only for the worker losing the database or
# the broker, and the job resumes (a backup starts over, a restore continues at its step). A worker
# killed outright is handled by the broker redelivering the message.
@dramatiq.actor(actor_name="backups.job_run", time_limit=6 * 3600_000, max_retries=3, queue_name="backups")
def backup_job_run(*, job_id: int) -> None:
    backups.backup_job_run(job_id=job_id)


@dramatiq.actor(actor_name="backups.nightly", time_limit=600_000, max_retries=3, queue_name="backups")
def backups_nightly() -> None:
    """Sent by the scheduler each night: one backup message per active portal, spread out."""
    backups.backups_schedule_nightly()


@dramatiq.actor(actor_name="backups.drill", time_limit=600_000, max_retries=3, queue_name="backups")
def backups_drill() -> None:
    """Sent by the scheduler each night: restore drills of the least recently drilled portals."""
    backups.backups_drill_schedule(count=settings.BACKUP_DRILLS_PER_NIGHT)


@dramatiq.actor(actor_name="backups.maintain", time_limit=3600_000, max_retries=3, queue_name="backups")
def backups_maintain() -> None:
    """Sent by the scheduler every hour: old schemas dropped, leftovers cleaned, retention applied."""
    backups.backups_maintain()
