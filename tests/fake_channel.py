"""The fake channel as pytest fixtures, and the network guard: in these tests any connection
to an address other than 127.0.0.1 fails at once."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bench.fake_channel import FakeChannel, Video, filler

__all__ = ["FakeChannel", "Video", "channel", "filler", "network_guard"]


class ForeignNetworkAccess(OSError):
    """A test tried to reach an address other than 127.0.0.1."""


def _check(address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if host not in ("127.0.0.1", "localhost"):
        raise ForeignNetworkAccess(f"network guard: connection to {address!r} refused")


@pytest.fixture
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any connection (or DNS lookup) to an address other than 127.0.0.1 fails at once."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    create, lookup = socket.create_connection, socket.getaddrinfo

    def guarded(real: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _check(address)
            return real(self, address)
        return method

    def create_connection(address: Any, *a: Any, **kw: Any) -> socket.socket:
        _check(address)
        return create(address, *a, **kw)

    def getaddrinfo(host: Any, *a: Any, **kw: Any) -> Any:
        if host is not None:
            _check(host)
        return lookup(host, *a, **kw)

    monkeypatch.setattr(socket.socket, "connect", guarded(connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(connect_ex))
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture
def channel(network_guard: None) -> Iterator[FakeChannel]:
    """A running fake channel with three videos, vid001 (oldest) to vid003."""
    ch = FakeChannel()
    for i in range(1, 4):
        ch.add(f"vid{i:03d}")
    ch.start()
    yield ch
    ch.stop()
