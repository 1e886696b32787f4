"""Who is asking: the client (computer) a request comes from, for per-client limits.

:func:`client_id` is the address of the computer that sent the request. Limits per pupil
(runs, streams) use it, never the session cookie: a script that drops its cookie is still
the same client. The cookie only tells a browser's own runs apart (which tab's run is whose).

Behind a school proxy every pupil would have the proxy's address. Then set
``CONVOLAB_TRUSTED_PROXY=1`` (or ``convolab serve --trusted-proxy``): the address the
proxy adds to ``X-Forwarded-For`` is used (with ``N`` > 1 proxies in a row, the ``N``-th
address from the right). Without that setting the header is ignored, since any client can
send it.

:class:`StreamSlots` counts the open event streams per client, so one client cannot open
hundreds of them.
"""

from __future__ import annotations

import ipaddress
import os
import threading

from fastapi import Request

TRUSTED_PROXY_ENV = "CONVOLAB_TRUSTED_PROXY"
UNKNOWN = "unknown"


def trusted_proxies() -> int:
    """How many proxies in front of the server add ``X-Forwarded-For`` (0: none trusted)."""
    raw = os.environ.get(TRUSTED_PROXY_ENV, "").strip().lower()
    if raw in ("", "0", "no", "false", "off"):
        return 0
    if raw in ("yes", "true", "on"):
        return 1
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(
            f"{TRUSTED_PROXY_ENV} must be a number of proxies (0, 1, 2, ...); got {raw!r}"
        ) from None
    if n < 0:
        raise ValueError(f"{TRUSTED_PROXY_ENV} must be 0 or more; got {raw!r}")
    return n


def _address(text: str) -> str | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [IPv6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_id(request: Request) -> str:
    """The client's address (a trusted proxy's ``X-Forwarded-For`` only when configured)."""
    peer = request.client.host if request.client else UNKNOWN
    hops = trusted_proxies()
    if hops:
        forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
        chain = [part for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            found = _address(chain[-hops])
            if found is not None:
                return found
    return _address(peer) or peer or UNKNOWN


class StreamSlots:
    """Open streams per client, at most ``limit`` each (a small leaf lock, nothing nested)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> bool:
        with self._lock:
            n = self._open.get(client, 0)
            if n >= self.limit:
                return False
            self._open[client] = n + 1
            return True

    def give_back(self, client: str) -> None:
        with self._lock:
            n = self._open.get(client, 0) - 1
            if n > 0:
                self._open[client] = n
            else:
                self._open.pop(client, None)

    def count(self, client: str) -> int:
        with self._lock:
            return self._open.get(client, 0)
