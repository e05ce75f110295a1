"""The content API of a portal's own host (``/api/v1/``, issue 5).

- ``public``: read-only endpoints for what the portal has published (``live=True`` only), open to
  anyone, paginated;
- ``staff``: the editorial board's endpoints (session of an account of this portal with an
  editorial role), which write only through ``content.services.workflow``;
- ``selectors``: the reads both share; ``common``: pagination, permissions and input checks.
"""
