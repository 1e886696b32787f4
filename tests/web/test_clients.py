"""client_id: the computer's address; X-Forwarded-For only from a configured trusted proxy."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from convolab.web.clients import StreamSlots, client_id, trusted_proxies


def request(peer="192.0.2.7", forwarded=None):
    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    return Request({"type": "http", "headers": headers, "client": (peer, 5555)})


def test_the_address_is_the_peer_and_the_header_is_ignored_by_default(monkeypatch):
    monkeypatch.delenv("CONVOLAB_TRUSTED_PROXY", raising=False)
    assert client_id(request()) == "192.0.2.7"
    assert client_id(request(forwarded="203.0.113.9")) == "192.0.2.7"  # anyone can send it


def test_a_trusted_proxy_header_is_read_from_the_right(monkeypatch):
    monkeypatch.setenv("CONVOLAB_TRUSTED_PROXY", "1")
    # the pupil wrote a fake first entry; the proxy appended the real address
    assert client_id(request(forwarded="1.2.3.4, 198.51.100.20")) == "198.51.100.20"
    assert client_id(request(forwarded="not-an-address")) == "192.0.2.7"
    assert client_id(request()) == "192.0.2.7"
    assert client_id(request(forwarded="[2001:db8::1]:443")) == "2001:db8::1"
    monkeypatch.setenv("CONVOLAB_TRUSTED_PROXY", "2")
    assert client_id(request(forwarded="1.2.3.4, 198.51.100.20, 10.0.0.1")) == "198.51.100.20"


@pytest.mark.parametrize(("raw", "n"), [("", 0), ("0", 0), ("1", 1), ("yes", 1), ("3", 3)])
def test_trusted_proxy_setting(monkeypatch, raw, n):
    monkeypatch.setenv("CONVOLAB_TRUSTED_PROXY", raw)
    assert trusted_proxies() == n


def test_a_bad_trusted_proxy_setting_says_what_is_allowed(monkeypatch):
    monkeypatch.setenv("CONVOLAB_TRUSTED_PROXY", "lots")
    with pytest.raises(ValueError, match="number of proxies"):
        trusted_proxies()


def test_stream_slots_per_client():
    slots = StreamSlots(2)
    assert slots.take("a") and slots.take("a") and not slots.take("a")
    assert slots.take("b")
    slots.give_back("a")
    assert slots.count("a") == 1 and slots.take("a")


def test_serve_takes_the_trusted_proxy_flag():
    from convolab.cli import build_parser

    parse = build_parser().parse_args
    assert parse(["serve"]).trusted_proxy is None
    assert parse(["serve", "--trusted-proxy"]).trusted_proxy == 1
    assert parse(["serve", "--trusted-proxy", "2"]).trusted_proxy == 2
