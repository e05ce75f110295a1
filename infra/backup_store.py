"""Streams to and from the S3 API for backups: multipart uploads of any length without holding the
whole stream, read-back with checksums, and the clean-up of what an interrupted upload left.

A multipart upload is invisible as an object until it is completed, so an upload cut short (storage
unreachable, worker killed) never leaves an object that looks whole; it does leave parts that cost
space until the upload is aborted, which ``uploads_abort`` does for a whole prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import tarfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from infra.s3 import S3Client

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef
else:
    CompletedPartTypeDef = dict

READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class Uploaded:
    key: str
    size: int
    sha256: str
    parts: int


def _take(pieces: Iterator[bytes], buffer: bytearray, size: int) -> bool:
    """Fill ``buffer`` up to ``size`` bytes from ``pieces``; False once ``pieces`` is exhausted."""
    while len(buffer) < size:
        piece = next(pieces, None)
        if piece is None:
            return False
        buffer += piece
    return True


def upload_stream(
    client: S3Client,
    *,
    bucket: str,
    key: str,
    chunks: Iterable[bytes],
    part_size: int,
    threads: int = 4,
    content_type: str = "application/octet-stream",
) -> Uploaded:
    """Upload the concatenation of ``chunks`` as one object, hashing it on the way.

    At most ``threads`` parts are in flight (memory: about ``threads + 1`` parts). A stream shorter
    than one part is sent with a single PUT. Any failure aborts the multipart upload (best effort:
    if storage is unreachable the abort fails too, and ``uploads_abort`` cleans up later).
    """
    hasher = hashlib.sha256()
    size = 0
    pieces = iter(chunks)
    buffer = bytearray()
    more = _take(pieces, buffer, part_size + 1)
    if not more:
        data = bytes(buffer)
        hasher.update(data)
        client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
        return Uploaded(key=key, size=len(data), sha256=hasher.hexdigest(), parts=1)

    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type)["UploadId"]
    done: list[CompletedPartTypeDef] = []
    in_flight: deque[Future[CompletedPartTypeDef]] = deque()

    def send(number: int, data: bytes) -> CompletedPartTypeDef:
        answer = client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data)
        return {"PartNumber": number, "ETag": answer["ETag"]}

    number = 0
    try:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="s3-part") as pool:
            try:
                while True:
                    # Keep one byte back unless the stream has ended: the last part may be short,
                    # every other part must be exactly part_size.
                    if more:
                        data = bytes(buffer[:part_size])
                        del buffer[:part_size]
                    else:
                        data = bytes(buffer)
                        buffer.clear()
                    hasher.update(data)
                    size += len(data)
                    number += 1
                    in_flight.append(pool.submit(send, number, data))
                    while len(in_flight) >= threads:
                        done.append(in_flight.popleft().result())
                    if not more and not buffer:
                        break
                    more = _take(pieces, buffer, part_size + 1)
                    if not more and not buffer:
                        break
                while in_flight:
                    done.append(in_flight.popleft().result())
            finally:
                for future in in_flight:
                    future.cancel()
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": sorted(done, key=lambda p: p["PartNumber"])},
        )
    except BaseException:
        with contextlib.suppress(Exception):
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    return Uploaded(key=key, size=size, sha256=hasher.hexdigest(), parts=number)


class RateLimit:
    """At most ``bytes_per_second`` through ``wrap``, shared by every stream wrapped with it (a
    backup's parts run at once): nightly backups may go slower to leave the machine to the pages."""

    def __init__(self, bytes_per_second: float) -> None:
        self.rate = bytes_per_second
        self._lock = threading.Lock()
        self._next = time.monotonic()

    def wrap(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for piece in chunks:
            if self.rate > 0:
                with self._lock:
                    now = time.monotonic()
                    start = max(self._next, now)
                    self._next = start + len(piece) / self.rate
                    pause = start - now
                if pause > 0:
                    time.sleep(pause)
            yield piece


def read_stream(client: S3Client, *, bucket: str, key: str, chunk: int = READ_CHUNK) -> Iterator[bytes]:
    """The object's bytes, a chunk at a time (never the whole object in memory)."""
    body = client.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        yield from body.iter_chunks(chunk)
    finally:
        body.close()


class Digest:
    """Counts and hashes the bytes that pass through ``wrap``."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    def wrap(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for piece in chunks:
            self._hash.update(piece)
            self.size += len(piece)
            yield piece

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def object_head(client: S3Client, *, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        return dict(client.head_object(Bucket=bucket, Key=key))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def objects_list(client: S3Client, *, bucket: str, prefix: str) -> Iterator[dict[str, Any]]:
    """Every object under ``prefix`` (``Key``, ``Size``), in key order."""
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield dict(item)


def prefix_delete(client: S3Client, *, bucket: str, prefix: str) -> int:
    """Delete every object under ``prefix``; the number deleted."""
    if not prefix.endswith("/"):
        raise ValueError("a prefix to delete must end with '/'")
    keys = [item["Key"] for item in objects_list(client, bucket=bucket, prefix=prefix)]
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
    return len(keys)


def uploads_abort(client: S3Client, *, bucket: str, prefix: str) -> int:
    """Abort every unfinished multipart upload under ``prefix`` (the parts of an interrupted upload)."""
    aborted = 0
    paginator = client.get_paginator("list_multipart_uploads")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for upload in page.get("Uploads", []):
            with contextlib.suppress(ClientError):  # finished or aborted meanwhile
                client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                aborted += 1
    return aborted


# --- tar streams ----------------------------------------------------------------------------------
# Media go into one tar part: a standard format an operator can open with `tar` once decrypted.


@dataclass(frozen=True)
class TarEntry:
    name: str
    size: int
    open: Callable[[], Iterable[bytes]]
    content_type: str = ""


@dataclass(frozen=True)
class TarWritten:
    name: str
    size: int
    sha256: str
    content_type: str


# A pax header of our own: the object's Content-Type travels with it (tar ignores unknown keys).
CONTENT_TYPE_HEADER = "PORTAL.content_type"


def tar_stream(entries: Iterable[TarEntry], written: list[TarWritten]) -> Iterator[bytes]:
    """A POSIX (pax) tar of ``entries`` as a stream; each entry's size and SHA-256 go to ``written``.

    An entry whose bytes do not match its announced size fails the stream: the header is already
    out, and a tar that lies about a member cannot be repaired afterwards.
    """
    for entry in entries:
        info = tarfile.TarInfo(entry.name)
        info.size = entry.size
        info.mode = 0o644
        if entry.content_type:
            info.pax_headers = {CONTENT_TYPE_HEADER: entry.content_type}
        yield info.tobuf(format=tarfile.PAX_FORMAT)
        digest = Digest()
        yield from digest.wrap(entry.open())
        if digest.size != entry.size:
            raise OSError(f"{entry.name}: {digest.size} bytes read, {entry.size} announced")
        remainder = entry.size % tarfile.BLOCKSIZE
        if remainder:
            yield b"\0" * (tarfile.BLOCKSIZE - remainder)
        written.append(TarWritten(entry.name, entry.size, digest.hexdigest, entry.content_type))
    yield b"\0" * (2 * tarfile.BLOCKSIZE)


@dataclass(frozen=True)
class TarItem:
    name: str
    size: int
    content_type: str
    chunks: Iterator[bytes]


def tar_read(stream: io.RawIOBase) -> Iterator[TarItem]:
    """Each regular file of a tar stream, in order, without seeking. The chunks of an item must be
    consumed before asking for the next one."""
    with tarfile.open(fileobj=io.BufferedReader(stream, READ_CHUNK), mode="r|") as archive:
        for member in archive:
            if not member.isfile():
                continue
            extracted = archive.extractfile(member)
            assert extracted is not None

            def chunks(source: Any = extracted) -> Iterator[bytes]:
                while piece := source.read(READ_CHUNK):
                    yield piece

            yield TarItem(member.name, member.size, str(member.pax_headers.get(CONTENT_TYPE_HEADER, "")), chunks())
