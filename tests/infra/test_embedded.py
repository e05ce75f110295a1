"""The embedded PostgreSQL, Redis and SeaweedFS servers: start, answer, reuse, stop, keep data.

Real servers from the wheels, in tmp_path data directories on random ports below the ephemeral
range, so a running `make run` (default ports, .data/) is neither disturbed nor reused. No Django.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from botocore.exceptions import ClientError

from infra.embedded import (
    EmbeddedService,
    PostgresService,
    RedisService,
    SeaweedFSService,
    ServiceError,
    ensure_services,
    pid_alive,
    port_open,
    stop_services,
)
from infra.s3 import ensure_bucket, s3_client


def _processes_mentioning(text: str) -> list[int]:
    """Pids whose command line contains ``text`` (orphan check after stop)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return [pid for pid in found if pid_alive(pid)]


def _assert_stopped(service: EmbeddedService, pid: int, marker: str) -> None:
    assert not service.is_running()
    assert service.pid() is None
    assert not pid_alive(pid)
    for port in service.ports_needed(service.port).values():
        assert not port_open(service.host, port), f"port {port} still open"
    assert _processes_mentioning(marker) == []


@pytest.fixture
def cleanup() -> Iterator[list[EmbeddedService]]:
    """Services a test started; stopped even when the test fails half-way."""
    services: list[EmbeddedService] = []
    yield services
    stop_services(services)


def test_postgres_starts_reuses_stops_and_keeps_data(tmp_path: Path, cleanup: list[EmbeddedService]) -> None:
    service = PostgresService(tmp_path, PostgresService.pick_free_port())
    cleanup.append(service)
    assert service.start() is True
    url = service.env()["DATABASE_URL"]
    assert url == f"postgres://postgres@127.0.0.1:{service.port}/portal"
    with psycopg.connect(url, autocommit=True) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
        connection.execute("CREATE TABLE kept (note text)")
        connection.execute("INSERT INTO kept VALUES ('xin chào')")
        # Unicode-aware ctype (C.UTF-8): upper() works on Vietnamese, not only on ASCII.
        assert connection.execute("SELECT upper('đường')").fetchone() == ("ĐƯỜNG",)
    pid = service.pid()
    assert pid is not None

    again = PostgresService(tmp_path, service.port)
    assert again.start() is False
    assert again.pid() == pid

    service.stop()
    _assert_stopped(service, pid, str(service.pgdata))

    assert service.start() is True
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT note FROM kept").fetchall() == [("xin chào",)]


def test_redis_starts_reuses_stops_and_persists(tmp_path: Path, cleanup: list[EmbeddedService]) -> None:
    service = RedisService(tmp_path, RedisService.pick_free_port())
    cleanup.append(service)
    assert service.start() is True
    env = service.env()
    assert env == {
        "BROKER_URL": f"redis://127.0.0.1:{service.port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{service.port}/1",
    }
    client = redis.Redis.from_url(env["CACHE_URL"])
    assert client.ping() is True
    client.set("survives", "restart")
    client.close()
    pid = service.pid()
    assert pid is not None

    again = RedisService(tmp_path, service.port)
    assert again.start() is False
    assert again.pid() == pid

    service.stop()
    _assert_stopped(service, pid, f"127.0.0.1:{service.port}")

    assert service.start() is True
    assert service.pid() != pid
    client = redis.Redis.from_url(env["CACHE_URL"])
    assert client.get("survives") == b"restart"  # appendonly file replayed
    client.close()


def test_seaweedfs_serves_s3_with_real_auth(tmp_path: Path, cleanup: list[EmbeddedService]) -> None:
    service = SeaweedFSService(tmp_path, SeaweedFSService.pick_free_port())
    cleanup.append(service)
    assert service.start() is True
    env = service.env()
    assert env["S3_ENDPOINT_URL"] == f"http://127.0.0.1:{service.port}"
    assert (env["S3_REGION"], env["S3_BUCKET"]) == ("us-east-1", "portal-media")
    assert (service.identity_file.stat().st_mode & 0o777) == 0o600
    access, secret = env["S3_ACCESS_KEY_ID"], env["S3_SECRET_ACCESS_KEY"]

    client = s3_client(env["S3_ENDPOINT_URL"], access, secret, env["S3_REGION"])
    assert ensure_bucket(client, "portal-media") is True
    assert ensure_bucket(client, "portal-media") is False
    client.put_object(Bucket="portal-media", Key="portals/demo/hello.txt", Body="xin chào".encode())
    body = client.get_object(Bucket="portal-media", Key="portals/demo/hello.txt")["Body"].read()
    assert body.decode() == "xin chào"
    listed = client.list_objects_v2(Bucket="portal-media", Prefix="portals/")
    assert [item["Key"] for item in listed["Contents"]] == ["portals/demo/hello.txt"]
    client.delete_object(Bucket="portal-media", Key="portals/demo/hello.txt")
    assert client.list_objects_v2(Bucket="portal-media").get("KeyCount") == 0

    wrong = s3_client(env["S3_ENDPOINT_URL"], access, secret + "x", env["S3_REGION"], timeout=5)
    with pytest.raises(ClientError) as refused:
        wrong.put_object(Bucket="portal-media", Key="intruder.txt", Body=b"no")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError):
        wrong.list_buckets()

    pid = service.pid()
    assert pid is not None
    again = SeaweedFSService(tmp_path, service.port)
    assert again.start() is False
    assert again.pid() == pid
    assert again.credentials() == (access, secret)  # generated once, kept in the data dir

    service.stop()
    _assert_stopped(service, pid, str(service.service_dir))


def test_ensure_services_fills_unset_variables_only(tmp_path: Path, cleanup: list[EmbeddedService]) -> None:
    env = {
        "BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/%2F",  # set: left alone, Redis only caches
        "S3_ENDPOINT_URL": "https://s3.example.org",
        "S3_ACCESS_KEY_ID": "mine",
        "S3_SECRET_ACCESS_KEY": "secret",
    }
    before = dict(env)
    started = ensure_services(
        env,
        tmp_path,
        postgres_port=PostgresService.pick_free_port(),
        redis_port=RedisService.pick_free_port(),
    )
    cleanup.extend(started)
    assert sorted(service.name for service in started) == ["postgres", "redis"]
    for key, value in before.items():
        assert env[key] == value
    assert "S3_REGION" not in env and "S3_BUCKET" not in env  # external store: settings' defaults
    redis_service = next(service for service in started if isinstance(service, RedisService))
    assert env["CACHE_URL"] == f"redis://127.0.0.1:{redis_service.port}/1"
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == ("portal",)

    # A second launcher on the same data directory reuses both servers and starts nothing.
    second = dict(before)
    assert ensure_services(second, tmp_path, postgres_port=1111, redis_port=2222) == []
    assert second["DATABASE_URL"] == env["DATABASE_URL"]
    assert second["CACHE_URL"] == env["CACHE_URL"]


def test_ensure_services_needs_nothing_when_everything_is_set(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgres://app@db.internal:5432/portal",
        "BROKER_URL": "redis://cache.internal:6379/0",
        "S3_ENDPOINT_URL": "https://s3.example.org",
        "S3_ACCESS_KEY_ID": "mine",
        "S3_SECRET_ACCESS_KEY": "secret",
    }
    assert ensure_services(env, tmp_path) == []
    assert env["CACHE_URL"] == "redis://cache.internal:6379/1"  # the broker's Redis, db 1
    assert list(tmp_path.iterdir()) == []


def test_ensure_services_starts_all_three_on_an_empty_environment(
    tmp_path: Path, cleanup: list[EmbeddedService]
) -> None:
    env: dict[str, str] = {}
    started = ensure_services(
        env,
        tmp_path,
        postgres_port=PostgresService.pick_free_port(),
        redis_port=RedisService.pick_free_port(),
        s3_port=SeaweedFSService.pick_free_port(),
    )
    cleanup.extend(started)
    assert sorted(service.name for service in started) == ["postgres", "redis", "seaweedfs"]
    assert set(env) == {
        "DATABASE_URL",
        "BROKER_URL",
        "CACHE_URL",
        "S3_ENDPOINT_URL",
        "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
        "S3_REGION",
        "S3_BUCKET",
    }
    assert env["BROKER_URL"].endswith("/0") and env["CACHE_URL"].endswith("/1")
    client = s3_client(env["S3_ENDPOINT_URL"], env["S3_ACCESS_KEY_ID"], env["S3_SECRET_ACCESS_KEY"])
    assert ensure_bucket(client, env["S3_BUCKET"]) is True


@pytest.mark.parametrize("service_class", [PostgresService, RedisService, SeaweedFSService])
def test_port_taken_by_a_foreign_listener_is_an_error_naming_it(
    tmp_path: Path, service_class: type[EmbeddedService]
) -> None:
    port = service_class.pick_free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        service = service_class(tmp_path, port)
        with pytest.raises(ServiceError) as error:
            service.start()
    message = str(error.value)
    assert service_class.name in message
    assert f"127.0.0.1:{port}" in message
    assert str(service.log_file) in message
    assert not service.is_running()


def test_missing_binary_is_an_error_naming_the_service(tmp_path: Path) -> None:
    service = RedisService(tmp_path, RedisService.pick_free_port(), binary=tmp_path / "no-redis-server")
    with pytest.raises(ServiceError) as error:
        service.start()
    assert "redis" in str(error.value)
    assert service.address in str(error.value)
    assert "no-redis-server" in str(error.value)
