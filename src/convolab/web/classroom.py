"""Serving a class: the allowed Host names, the address pupils type (and its QR code), and the
security headers on every answer.

- ``HostAndHeadersMiddleware`` refuses a request whose ``Host`` is not allowed with a 400
  ``host_not_allowed`` in the one error shape (a page reached through a name that points at
  this machine from elsewhere, "DNS rebinding", is not served), and adds to every answer:
  ``Content-Security-Policy`` (only the app itself; ``frame-ancestors 'self'``, except for
  ``?embed=1`` pages, which any site, such as the Dwengo learning page, may frame),
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.
- Allowed hosts: ``localhost``, ``127.0.0.1``, ``[::1]``, ``testserver`` (Starlette's
  TestClient), this machine's names and addresses, and the names in ``CONVOLAB_ALLOWED_HOSTS``
  (comma separated; ``convolab serve --allowed-host NAME`` sets it).
- ``CONVOLAB_CLASS_URL`` (set by ``convolab serve --class``): the address pupils type; the
  teacher page shows it with a QR code (SVG made here, offline).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import socket
import time

from starlette.requests import Request

ENV_ALLOWED = "CONVOLAB_ALLOWED_HOSTS"
ENV_CLASS_URL = "CONVOLAB_CLASS_URL"
BASE_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
#: Normal pages may only be framed by the app itself.
FRAME_SELF = "; frame-ancestors 'self'"


def machine_addresses() -> list[str]:
    """This machine's IP addresses (every interface), without link-local IPv6 scopes."""
    found: list[str] = []
    try:
        import psutil

        for addrs in psutil.net_if_addrs().values():
            for a in addrs:
                if a.family in (socket.AF_INET, socket.AF_INET6):
                    found.append(a.address.split("%", 1)[0])
    except ImportError:  # pragma: no cover - psutil is a dependency
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.append(str(info[4][0]).split("%", 1)[0])
    except OSError:
        pass
    seen: list[str] = []
    for a in found:
        if a and a not in seen:
            seen.append(a)
    return seen


def lan_address() -> str:
    """The address pupils on the same network type: the one a packet to the LAN would leave
    from (no packet is sent), else the first non-loopback address, else 127.0.0.1."""
    for target in ("10.255.255.255", "192.168.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((target, 1))
                addr = s.getsockname()[0]
            except OSError:
                continue
            if addr and not addr.startswith("127."):
                return addr
    for a in machine_addresses():
        try:
            ip = ipaddress.ip_address(a)
        except ValueError:
            continue
        if ip.version == 4 and not ip.is_loopback and not ip.is_link_local:
            return a
    return "127.0.0.1"


@functools.lru_cache(maxsize=4)
def _allowed(extra: str, _minute: int) -> frozenset[str]:
    names = set(BASE_HOSTS)
    names.update(a.lower() for a in machine_addresses())
    try:
        names.add(socket.gethostname().lower())
        names.add(socket.getfqdn().lower())
    except OSError:
        pass
    names.update(n.strip().lower().strip("[]") for n in extra.split(",") if n.strip())
    return frozenset(names)


def allowed_hosts() -> frozenset[str]:
    """Looked up again every minute: a laptop that gets a new address keeps serving."""
    return _allowed(os.environ.get(ENV_ALLOWED, ""), int(time.monotonic() // 60))


def host_name(host_header: str) -> str:
    """``Host`` without the port, lower case; IPv6 without brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def host_allowed(host_header: str | None) -> bool:
    if not host_header:
        return False
    return host_name(host_header) in allowed_hosts()


def pupil_url() -> str | None:
    return os.environ.get(ENV_CLASS_URL) or None


@functools.lru_cache(maxsize=8)
def qr_svg(text: str) -> str:
    """A QR code for ``text`` as an inline SVG string (drawn offline by ``qrcode``)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = img.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg class="qr" role="img" ', 1)


def _is_embed(query: bytes) -> bool:
    from urllib.parse import parse_qs

    values = parse_qs(query.decode("latin-1")).get("embed", [])
    return any(v.lower() in ("1", "true", "yes") for v in values)


class HostAndHeadersMiddleware:
    """Refuse unknown ``Host`` names; add the security headers to every answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = None
        for key, value in scope.get("headers") or []:
            if key == b"host":
                host = value.decode("latin-1")
                break
        # ?embed=1 pages may be framed by any site: no frame-ancestors at all (``*`` would
        # still refuse a parent with an opaque origin, such as a page written by a script)
        embed = _is_embed(scope.get("query_string", b""))
        csp = CSP if embed else CSP + FRAME_SELF
        security = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() not in {k for k, _ in security}
                ]
                message = {**message, "headers": headers + security}
            await send(message)

        if not host_allowed(host):
            return await self._refuse(scope, send_with_headers, host or "")
        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, scope, send, host: str):
        from .errors import error_body, request_lang
        from .i18n import t

        lang = request_lang(Request(scope))
        name = host_name(host)[:100] if host else "-"
        body = json.dumps(
            error_body(400, "host_not_allowed", t("teacher.err_host", lang, host=name))
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
