"""Streamed multipart uploads, read-back and clean-up on the real S3 API (SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings

from infra import backup_store, stream_crypto
from infra.s3 import ensure_bucket, s3_client

PART = 5 * 1024 * 1024
BUCKET = "portal-backups-store-test"


@pytest.fixture(scope="module")
def client() -> Any:
    made = s3_client(
        endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.S3_ACCESS_KEY_ID,
        secret_key=settings.S3_SECRET_ACCESS_KEY,
        region=settings.S3_REGION,
    )
    ensure_bucket(made, BUCKET)
    return made


def _pieces(data: bytes, size: int = 777_777) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("length", [0, 1, PART, PART + 1, 2 * PART + 3])
def test_upload_stream_round_trips_at_part_boundaries(client: Any, length: int) -> None:
    data = os.urandom(length)
    key = f"store-test/{length}.bin"
    uploaded = backup_store.upload_stream(
        client, bucket=BUCKET, key=key, chunks=_pieces(data), part_size=PART, threads=2
    )
    assert uploaded.size == length and uploaded.sha256 == hashlib.sha256(data).hexdigest()
    assert uploaded.parts == (1 if length <= PART else -(-length // PART))
    assert b"".join(backup_store.read_stream(client, bucket=BUCKET, key=key)) == data


def test_a_failing_stream_aborts_its_upload_and_leaves_no_object(client: Any) -> None:
    def failing() -> Iterator[bytes]:
        yield os.urandom(PART + 10)
        yield os.urandom(PART)
        raise OSError("the source broke")

    with pytest.raises(OSError, match="the source broke"):
        backup_store.upload_stream(client, bucket=BUCKET, key="store-test/broken.bin", chunks=failing(), part_size=PART)
    assert backup_store.object_head(client, bucket=BUCKET, key="store-test/broken.bin") is None
    assert backup_store.uploads_abort(client, bucket=BUCKET, prefix="store-test/broken") == 0


def test_leftovers_of_a_dead_upload_are_aborted_and_a_prefix_deleted(client: Any) -> None:
    upload = client.create_multipart_upload(Bucket=BUCKET, Key="store-test/dead/part.bin")
    client.upload_part(
        Bucket=BUCKET, Key="store-test/dead/part.bin", UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 100
    )
    client.put_object(Bucket=BUCKET, Key="store-test/dead/done.bin", Body=b"done")
    client.put_object(Bucket=BUCKET, Key="store-test/deadline/other.bin", Body=b"other")
    assert backup_store.uploads_abort(client, bucket=BUCKET, prefix="store-test/dead/") == 1
    assert backup_store.prefix_delete(client, bucket=BUCKET, prefix="store-test/dead/") == 1
    assert backup_store.object_head(client, bucket=BUCKET, key="store-test/deadline/other.bin") is not None
    with pytest.raises(ValueError):
        backup_store.prefix_delete(client, bucket=BUCKET, prefix="store-test/dead")


def _once(data: bytes) -> Callable[[], list[bytes]]:
    return lambda: [data]


def test_tar_stream_round_trip_with_content_types() -> None:
    files = {"a/one.txt": b"mot", "b/hai.bin": os.urandom(1500), "rong.txt": b""}
    written: list[backup_store.TarWritten] = []
    entries = [
        backup_store.TarEntry(name, len(data), _once(data), "text/plain" if name.endswith(".txt") else "")
        for name, data in files.items()
    ]
    stream = b"".join(backup_store.tar_stream(entries, written))
    assert [w.name for w in written] == list(files)
    assert written[1].sha256 == hashlib.sha256(files["b/hai.bin"]).hexdigest()
    read = {
        item.name: (b"".join(item.chunks), item.content_type)
        for item in backup_store.tar_read(stream_crypto.IteratorReader([stream]))
    }
    assert read == {name: (data, "text/plain" if name.endswith(".txt") else "") for name, data in files.items()}
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(stream)) as archive:  # an ordinary tar for any tool
        assert archive.getnames() == list(files)


def test_tar_stream_refuses_an_entry_that_lies_about_its_size() -> None:
    entries = [backup_store.TarEntry("x", 10, lambda: [b"short"])]
    with pytest.raises(OSError, match="announced"):
        b"".join(backup_store.tar_stream(entries, []))


def test_rate_limit_is_shared_by_the_streams_it_wraps() -> None:
    import threading
    import time

    limit = backup_store.RateLimit(4 * 1024 * 1024)
    pieces = [b"x" * (256 * 1024)] * 4  # 1 MiB per stream, two streams: 2 MiB at 4 MiB/s
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: b"".join(limit.wrap(pieces))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 0.4 < time.monotonic() - started < 2.0
    assert b"".join(backup_store.RateLimit(0).wrap(pieces)) == b"".join(pieces)
