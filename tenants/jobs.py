"""Tenant context for background jobs.

A message sent while a request (or a command, or another job) is inside portal A's schema carries
that schema in its options; the worker enters it before running the actor and returns to public
afterwards. An actor that takes an explicit ``schema_name`` keyword (DESIGN.md §4) gets that one
instead, so explicit context always wins over ambient context.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dramatiq
from django.db import close_old_connections, connection, transaction
from django_tenants.utils import get_public_schema_name, schema_exists
from dramatiq.broker import MessageProxy
from dramatiq.middleware import SkipMessage

from tenants.context import tenant_db

logger = logging.getLogger(__name__)

SCHEMA_OPTION = "tenant_schema"
# A valid schema name that is never created: the fail-closed search_path of a job being set up.
NOWHERE_SCHEMA = "no_tenant_context"


def message_schema(message: MessageProxy | dramatiq.Message[Any]) -> str:
    explicit = message.kwargs.get("schema_name")
    if isinstance(explicit, str) and explicit:
        return explicit
    recorded = message.options.get(SCHEMA_OPTION)
    return recorded if isinstance(recorded, str) and recorded else get_public_schema_name()


class TenantContextMiddleware(dramatiq.Middleware):
    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        # Record the sender's schema once; a retry re-enqueues the message with its options intact.
        message.options.setdefault(SCHEMA_OPTION, tenant_db.schema_name or get_public_schema_name())

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        # dramatiq logs an exception raised here and runs the actor anyway, so fail closed: point
        # the connection at a schema that does not exist, without public, until the target is
        # confirmed. If anything below fails, the actor's queries fail (and are retried) instead
        # of running against the control plane's tables.
        tenant_db.set_schema(NOWHERE_SCHEMA, include_public=False)
        schema = message_schema(message)
        if schema == get_public_schema_name():
            tenant_db.set_schema_to_public()
            return
        if not schema_exists(schema):
            # The portal was dropped after the message was sent: nothing to do, ever.
            logger.error("job %s for missing schema %r dead-lettered", message.message_id, schema)
            message.fail()
            raise SkipMessage(f"schema {schema!r} does not exist")
        tenant_db.set_schema(schema)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        tenant_db.set_schema_to_public()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        tenant_db.set_schema_to_public()


class DbConnectionsMiddleware(dramatiq.Middleware):
    """Worker threads outlive requests: drop broken or expired connections around every message."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        close_old_connections()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        close_old_connections()

    def before_worker_thread_shutdown(self, broker: dramatiq.Broker, thread: Any) -> None:
        connection.close()


def enqueue(actor: dramatiq.Actor[..., Any], **kwargs: Any) -> None:
    """Send ``actor`` with ``kwargs`` once the current transaction commits (at once outside one).

    A job enqueued before commit could run before its data is visible, or for data that is then
    rolled back. The schema is recorded when the message is actually sent, which is still inside
    the caller's tenant context.
    """
    send: Callable[[], Any] = lambda: actor.send_with_options(kwargs=kwargs)  # noqa: E731
    transaction.on_commit(send)
