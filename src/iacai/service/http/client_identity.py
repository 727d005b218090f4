"""Who a request comes from, for fair scheduling: the peer address, or a forwarded one from a proxy.

A forwarded header is believed only when the peer is a configured trusted proxy, else any client
could name itself anew with each request and escape its share. `X-Forwarded-For` is read from the
right (the hop nearest this server) and the first address that is not itself a trusted proxy is
the client's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The trusted proxies as networks (an address alone is a network of one); ValueError if bad."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


class ClientIdentity:
    """Names the client of a request, trusting forwarded headers only from the given proxies."""

    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted = parse_networks(trusted_proxies)

    def of(self, request: Request) -> str:
        peer = request.client.host if request.client else ""
        if not self._is_trusted(peer):
            return peer
        hops = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
        for hop in reversed(hops):
            address = hop.strip()
            if not self._is_trusted(address):
                return address if _is_address(address) else peer
        return peer

    def _is_trusted(self, address: str) -> bool:
        return is_within(address, self._trusted)


def is_within(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether `address` is an IP address inside one of `networks` (False for anything else)."""
    if not networks:
        return False
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
