"""The client's address: the one answer the login lockout (django-axes), the throttles and the audit
trail all count and record.

X-Forwarded-For is whatever the sender wrote, so it is believed only from a peer inside
TRUSTED_PROXIES (CIDRs; empty by default, and then REMOTE_ADDR is the client). Each trusted proxy
appends the address it saw, so the header is walked from the right, skipping trusted proxies; the
first address that is not one is the client. Entries further left are the client's own word and are
never believed. Anyone reaching gunicorn directly is not a trusted proxy, so their header is ignored
and they can neither dodge a lock nor lock out someone else's address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


def _address(value: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # gunicorn bound to [::] reports IPv4 peers as ::ffff:a.b.c.d; compare and record them as IPv4.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks) -> bool:
    return any(address in network for network in networks)


def from_trusted_proxy(request) -> bool:
    """Whether the connection itself comes from a proxy in TRUSTED_PROXIES: the only peer whose
    headers about the client (its address, its verified certificate) are believed."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    return peer is not None and _trusted(peer, _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """AXES_CLIENT_IP_CALLABLE, and what every view counts or records as the client's address."""
    remote = request.META.get("REMOTE_ADDR") or ""
    peer = _address(remote)
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if peer is None:
        return remote
    if not _trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = _address(entry)
        if hop is None:
            # Not an address a proxy of ours would append: the chain we can vouch for ends here.
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return str(client)
