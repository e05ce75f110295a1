"""Encrypt small secrets at rest (AES-256-GCM) with a key derived from SECRET_KEY per purpose.

Used for values that must be shown to a person once and never stored in clear, such as a new
portal's first admin password between the worker that makes it and the operator who reads it.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _key(purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"portal-platform:{purpose}".encode())
    return hkdf.derive(settings.SECRET_KEY.encode())


def seal(plaintext: str, *, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(token: str, *, purpose: str) -> str:
    raw = base64.urlsafe_b64decode(token.encode())
    return AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
