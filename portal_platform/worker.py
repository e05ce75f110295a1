"""Entry point of the dramatiq worker: ``python -m dramatiq portal_platform.worker``.

Sets Django up (which installs the broker) and imports every app's actors.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal_platform.settings")
django.setup()

import dramatiq  # noqa: E402

import content.tasks  # noqa: E402, F401
import portal_platform.reports.tasks  # noqa: E402  (periodic reports and evaluation)
import portal_platform.search.tasks  # noqa: E402
import portal_platform.tasks  # noqa: E402, F401
import provisioning.tasks  # noqa: E402, F401

broker = dramatiq.get_broker()
