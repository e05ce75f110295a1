"""Argon2id with OWASP's recommended parameters.

Django's default Argon2 parameters (100 MiB, 2 passes, 8 lanes) cost about half a second per hash
on a 2-core server, which is paid on every login and every password issued — and a provincial
platform issues hundreds at once. OWASP's Password Storage Cheat Sheet recommends Argon2id with
19 MiB of memory, 2 iterations and 1 degree of parallelism as the baseline: about a tenth of the
cost, still memory-hard. Hashes keep their own parameters, so older hashes verify unchanged and are
re-hashed with these at the next login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
