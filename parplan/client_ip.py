"""The address a request came from, behind ``PROXY_COUNT`` proxies (the environment's
``AXES_PROXY_COUNT``): django-axes calls ``client_ip`` (``AXES_CLIENT_IP_CALLABLE``) to
throttle sign-ins per address.

Without it axes would fall back to ``REMOTE_ADDR`` (django-ipware, which reads the
proxy settings, is not installed), which behind nginx is the proxy's own address:
five wrong passwords from anyone would lock every sign-in out. Each trusted proxy
appends the address it received the request from to X-Forwarded-For, so the client is
the ``count``-th entry from the right; entries further left are the client's own
claims and are never believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = int(getattr(settings, "PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    chosen = hops[-count] if len(hops) >= count else hops[0]
    return _address(chosen) or remote
