"""The dramatiq broker, chosen by BROKER_URL's scheme: amqp(s) → RabbitMQ, redis(s) → Redis,
stub → the in-process StubBroker of unit tests."""

from __future__ import annotations

from urllib.parse import urlsplit

import dramatiq
from dramatiq.brokers.stub import StubBroker

from tenants.jobs import DbConnectionsMiddleware, TenantContextMiddleware


def build_broker(url: str) -> dramatiq.Broker:
    scheme = urlsplit(url).scheme
    broker: dramatiq.Broker
    if scheme in {"amqp", "amqps"}:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    elif scheme in {"redis", "rediss"}:
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    broker.add_middleware(DbConnectionsMiddleware())
    broker.add_middleware(TenantContextMiddleware())
    return broker


def install_broker(url: str) -> dramatiq.Broker:
    broker = build_broker(url)
    dramatiq.set_broker(broker)
    return broker
