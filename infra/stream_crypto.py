"""Authenticated encryption of a stream of any length, a chunk at a time (AES-256-GCM).

A backup part is too large to hold in memory, and a single GCM tag over the whole stream would only
be checked after every byte had already been handed to ``pg_restore``. So the stream is cut into
chunks, each sealed on its own (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár):

    header  = MAGIC | chunk size (4 bytes) | key id (8 bytes) | nonce prefix (8 bytes)
    chunk i = length (4 bytes) | AES-GCM(key, nonce = prefix | i (4 bytes), data, aad = header | i | final)

Each chunk is authenticated before any of its bytes are released; a reordered or dropped chunk
fails (the index is in the nonce and the associated data), and a truncated stream fails because
its last chunk does not carry the ``final`` flag. The key id (an HMAC of the key, not the key)
lets a restore with the wrong key fail with a clear message instead of a generic tag error.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PPBK1\n"
CHUNK = 1 << 20  # 1 MiB of plaintext per chunk
_HEADER = struct.Struct(">I8s8s")
_LEN = struct.Struct(">I")
TAG = 16


class StreamError(Exception):
    """The stream is not a backup stream, was cut short, was altered, or the key is not its key."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def key_id(key: bytes) -> bytes:
    return hmac.new(key, b"portal-platform backup key id", hashlib.sha256).digest()[:8]


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">I?", index, final)


def encrypt(chunks: Iterable[bytes], *, key: bytes, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The sealed stream of the concatenation of ``chunks`` (re-cut to ``chunk_size``)."""
    aead = AESGCM(key)
    prefix = os.urandom(8)
    header = MAGIC + _HEADER.pack(chunk_size, key_id(key), prefix)
    yield header
    index = 0
    pending = bytearray()

    def seal(data: bytes, final: bool) -> bytes:
        nonce = prefix + struct.pack(">I", index)
        sealed = aead.encrypt(nonce, data, _aad(header, index, final))
        return _LEN.pack(len(sealed)) + sealed

    for piece in chunks:
        pending += piece
        while len(pending) > chunk_size:  # keep at least one byte back: the last chunk must be final
            yield seal(bytes(pending[:chunk_size]), False)
            del pending[:chunk_size]
            index += 1
    yield seal(bytes(pending), True)


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        piece = stream.read(n - len(out))
        if not piece:
            break
        out += piece
    return bytes(out)


def decrypt(stream: BinaryIO, *, key: bytes) -> Iterator[bytes]:
    """The plaintext of a sealed stream, a verified chunk at a time; raises ``StreamError``."""
    head = _read_exact(stream, len(MAGIC) + _HEADER.size)
    if len(head) < len(MAGIC) + _HEADER.size or not head.startswith(MAGIC):
        raise StreamError("not an encrypted backup stream", code="backup_not_encrypted_stream")
    chunk_size, stored_key_id, prefix = _HEADER.unpack(head[len(MAGIC) :])
    if not hmac.compare_digest(stored_key_id, key_id(key)):
        raise StreamError("encrypted with a different key", code="backup_key_mismatch")
    aead = AESGCM(key)
    index = 0
    while True:
        raw_len = _read_exact(stream, _LEN.size)
        if len(raw_len) < _LEN.size:
            raise StreamError("the stream ends before its final chunk", code="backup_truncated")
        (length,) = _LEN.unpack(raw_len)
        if length < TAG or length > chunk_size + TAG:
            raise StreamError(f"chunk {index} has an impossible length", code="backup_corrupt")
        sealed = _read_exact(stream, length)
        if len(sealed) < length:
            raise StreamError("the stream ends inside a chunk", code="backup_truncated")
        nonce = prefix + struct.pack(">I", index)
        for final in (False, True):
            try:
                data = aead.decrypt(nonce, sealed, _aad(head, index, final))
            except InvalidTag:
                continue
            break
        else:
            raise StreamError(f"chunk {index} fails authentication", code="backup_corrupt")
        if data:
            yield data
        if final:
            if stream.read(1):
                raise StreamError("data after the final chunk", code="backup_corrupt")
            return
        index += 1


class IteratorReader(io.RawIOBase):
    """A read-only file over an iterator of bytes, for APIs that want a file (boto3's upload_fileobj)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n
