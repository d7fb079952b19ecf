"""The client's address as the site sees it (docs/operations.md, "Behind a reverse proxy").

``dxscore serve`` (waitress) puts the client's address in ``REMOTE_ADDR``: the peer of
the connection, or, for a request from the trusted proxy (``DXSCORE_TRUSTED_PROXY``), the
address that proxy appended to ``X-Forwarded-For``. Nothing else in a request is trusted
for it: django-axes counts failed log-ins per this address (``AXES_CLIENT_IP_CALLABLE``),
never per a header a client can write, even if django-ipware gets installed one day.
"""

from __future__ import annotations


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
