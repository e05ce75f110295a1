"""The one scheduler process: sends periodic messages; workers do the work.

Run exactly one (``python -m portal_platform.scheduler``); it holds no state of its own, so a
restart only skips the ticks it was down for.
"""

from __future__ import annotations

import logging
import os
import signal
from types import FrameType

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal_platform.settings")
django.setup()

from apscheduler.schedulers.blocking import BlockingScheduler  # noqa: E402
from apscheduler.triggers.cron import CronTrigger  # noqa: E402
from apscheduler.triggers.interval import IntervalTrigger  # noqa: E402
from django.conf import settings  # noqa: E402

from content.tasks import publish_due_all  # noqa: E402
from portal_platform import tasks  # noqa: E402
from portal_platform.reports.tasks import evaluation_monthly  # noqa: E402
from portal_platform.search.tasks import index_repair_all  # noqa: E402
from provisioning import backup_tasks  # noqa: E402
from provisioning.tasks import pool_top_up  # noqa: E402

logger = logging.getLogger("portal_platform.scheduler")


def build_scheduler() -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="Asia/Ho_Chi_Minh")
    scheduler.add_job(tasks.heartbeat.send, IntervalTrigger(minutes=1), id="heartbeat")
    # Keeps the spare pool full and, after a deploy with new migrations, migrates or recycles spares.
    scheduler.add_job(pool_top_up.send, IntervalTrigger(minutes=5), id="pool_top_up")
    # Scheduled publication happens at the minute the board set (items_publish_due claims each once).
    scheduler.add_job(publish_due_all.send, CronTrigger(second=0), id="publish_due")
    # Night-time, when nobody is searching the log.
    scheduler.add_job(tasks.audit_purge.send, CronTrigger(hour=2, minute=30), id="audit_purge")
    # The search index's safety net: whatever a lost job left behind is repaired overnight.
    scheduler.add_job(index_repair_all.send, CronTrigger(hour=3, minute=15), id="search_repair")
    # Backups (issue 8): the nightly message fans out one delayed message per portal.
    nightly = CronTrigger(hour=settings.BACKUP_NIGHTLY_HOUR, minute=0)
    scheduler.add_job(backup_tasks.backups_nightly.send, nightly, id="backups_nightly")
    drill = CronTrigger(hour=settings.BACKUP_DRILL_HOUR, minute=0)
    scheduler.add_job(backup_tasks.backups_drill.send, drill, id="backups_drill")
    scheduler.add_job(backup_tasks.backups_maintain.send, CronTrigger(minute=17), id="backups_maintain")
    # Evaluation (issue 9): the month just ended and its reporting year, early on the 1st.
    scheduler.add_job(evaluation_monthly.send, CronTrigger(day=1, hour=4, minute=30), id="evaluation_monthly")
    return scheduler


def main() -> None:
    scheduler = build_scheduler()

    def stop(signum: int, frame: FrameType | None) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tasks.heartbeat.send()
    pool_top_up.send()
    logger.info("scheduler started with jobs: %s", [job.id for job in scheduler.get_jobs()])
    scheduler.start()


if __name__ == "__main__":
    main()
