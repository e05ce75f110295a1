"""Streams under the per-portal backups (issue 8): chunked AES-GCM and schema dump/restore-as."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import psycopg
import pytest
from django_tenants.utils import schema_context

from infra import pgtools, stream_crypto
from tenants.models import Portal

KEY = bytes(range(32))


def _seal(data: bytes, chunk_size: int = 1000) -> bytes:
    pieces = [data[i : i + 333] for i in range(0, len(data), 333)] or [b""]
    return b"".join(stream_crypto.encrypt(pieces, key=KEY, chunk_size=chunk_size))


def _open(sealed: bytes, key: bytes = KEY) -> bytes:
    return b"".join(stream_crypto.decrypt(io.BytesIO(sealed), key=key))


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 10_000])
def test_round_trip_at_every_boundary(size: int) -> None:
    data = os.urandom(size)
    sealed = _seal(data)
    assert _open(sealed) == data
    if size >= 16:
        assert data[:16] not in sealed  # the plaintext never appears in what is stored


def _refused(code: str, sealed: bytes, key: bytes = KEY) -> None:
    with pytest.raises(stream_crypto.StreamError) as caught:
        _open(sealed, key)
    assert caught.value.code == code


def test_truncation_corruption_and_wrong_key_are_refused() -> None:
    sealed = _seal(os.urandom(5000))
    header = len(stream_crypto.MAGIC) + 20
    _refused("backup_truncated", sealed[: header + 4 + 1016])  # whole first chunk, nothing more
    _refused("backup_truncated", sealed[:-5])
    flipped = bytearray(sealed)
    flipped[header + 50] ^= 1
    _refused("backup_corrupt", bytes(flipped))
    _refused("backup_key_mismatch", sealed, key=bytes(32))
    _refused("backup_not_encrypted_stream", b"PGDMP" + sealed)
    _refused("backup_corrupt", sealed + b"x")


def test_reordered_chunks_are_refused() -> None:
    sealed = _seal(os.urandom(3000))
    header = len(stream_crypto.MAGIC) + 20
    size = 4 + 1000 + 16
    first, second = sealed[header : header + size], sealed[header + size : header + 2 * size]
    _refused("backup_corrupt", sealed[:header] + second + first + sealed[header + 2 * size :])


def test_iterator_reader_serves_a_file_api() -> None:
    reader = stream_crypto.IteratorReader(iter([b"ab", b"", b"cde"]))
    assert reader.read(1) == b"a" and reader.read() == b"bcde" and reader.read() == b""


@pytest.mark.django_db
def test_a_schema_is_restored_under_another_name_and_the_source_is_untouched(portal_a: Portal) -> None:
    from content.models import Category

    with schema_context(portal_a.schema_name):
        Category.objects.create(name="Sao lưu", slug="sao-luu-thu")
    conninfo, env = pgtools.conninfo_from_settings()
    tools = pgtools.tools_for(conninfo)
    # The test's transaction is not visible to pg_dump's session: commit through Django's connection.
    from django.db import connection

    connection.commit() if not connection.in_atomic_block else None
    with psycopg.connect(conninfo, autocommit=True) as conn:
        before = pgtools.table_counts(conn, portal_a.schema_name)
    with pgtools.dump_schema(tools=tools, conninfo=conninfo, env=env, schema=portal_a.schema_name) as stream:
        dump = stream.read()
    assert dump.startswith(b"PGDMP")
    target = "restore_copy_test"
    try:
        pgtools.restore_schema_as(
            tools=tools, conninfo=conninfo, env=env, dump=[dump], source=portal_a.schema_name, target=target
        )
        with psycopg.connect(conninfo, autocommit=True) as conn:
            assert pgtools.table_counts(conn, target) == before
            assert pgtools.table_counts(conn, portal_a.schema_name) == before
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{target}" CASCADE')


def test_a_failing_input_restores_nothing_and_keeps_the_source(portal_b: Portal) -> None:
    conninfo, env = pgtools.conninfo_from_settings()
    tools = pgtools.tools_for(conninfo)
    with pgtools.dump_schema(tools=tools, conninfo=conninfo, env=env, schema=portal_b.schema_name) as stream:
        dump = stream.read()

    def broken() -> Iterator[bytes]:
        yield dump[: len(dump) // 2]
        raise stream_crypto.StreamError("cut", code="backup_truncated")

    with pytest.raises(stream_crypto.StreamError):
        pgtools.restore_schema_as(
            tools=tools, conninfo=conninfo, env=env, dump=broken(), source=portal_b.schema_name, target="restore_broken"
        )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        names = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace").fetchall()}
    assert "restore_broken" not in names and portal_b.schema_name in names
    assert not any("__hold_" in n for n in names)
