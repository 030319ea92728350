"""A small fixed-window rate limit, counted in Django's cache.

Each (scope, key) gets one counter per window of `window_seconds`, counted from the Unix epoch:
the first hit creates it with `cache.add` (atomic: only one caller creates it), every hit adds
one with `cache.incr` (atomic in Redis and Memcached; per process in the local-memory cache, so
with several web processes the cache must be shared: see `CACHES` in settings). A counter
expires with its window. A fixed window lets up to twice the limit through across a window's
edge; that is enough to stop a flood, which is what it is for.

The scope and key (a client address, say) are hashed: any text makes a valid cache key, and the
cache never holds the address itself. `client_key` turns a client's address into the key it is
counted by: an IPv4 address as it is, an IPv6 address by its /64 (one household or office is
given a whole /64, so counting single IPv6 addresses would let one client take as many as it
likes), and an empty or unreadable address under one key shared by all such clients.

`hit` counts; `count` reads the count without adding to it, for a limit on what succeeds, checked
before the work and counted (with `hit`) only once the work has succeeded.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Hit:
    """One counted hit: how many there have been in this window, and whether it is allowed."""

    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


def _cache_key(scope: str, key: str, window: int, bucket: int) -> str:
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()
    return f"ratelimit:{window}:{bucket}:{digest}"


UNKNOWN_CLIENT = "unknown client address"
IPV6_PREFIX = 64


def client_key(address: str | None) -> str:
    """The key a client's address is counted by: the IPv4 address (also when written as an
    IPv4-mapped IPv6 address), the /64 network of an IPv6 address, or `UNKNOWN_CLIENT` for an
    empty or unreadable one."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return UNKNOWN_CLIENT
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        # From the address's number, so that a zone ("fe80::1%eth0") does not matter.
        shift = 128 - IPV6_PREFIX
        return str(ipaddress.IPv6Network((int(ip) >> shift << shift, IPV6_PREFIX)))
    return str(ip)


def seconds_left(window_seconds: int, *, now: float | None = None) -> int:
    """Seconds until the current window ends (at least 1)."""
    moment = time.time() if now is None else now
    bucket = int(moment // window_seconds)
    return max(1, int((bucket + 1) * window_seconds - moment))


def count(scope: str, key: str, *, window_seconds: int, now: float | None = None) -> int:
    """How many hits `key` has had in `scope` in the current window, without counting one."""
    if window_seconds < 1:
        raise ValueError("A rate limit's window must be 1 or more.")
    moment = time.time() if now is None else now
    value = cache.get(_cache_key(scope, key, window_seconds, int(moment // window_seconds)))
    return value if isinstance(value, int) else 0


def hit(scope: str, key: str, *, limit: int, window_seconds: int, now: float | None = None) -> Hit:
    """Count one hit for `key` in `scope`; the hit is allowed while the count is within `limit`.
    Every hit counts, the refused ones too, so that a flood stays refused."""
    if limit < 1 or window_seconds < 1:
        raise ValueError("A rate limit and its window must be 1 or more.")
    moment = time.time() if now is None else now
    bucket = int(moment // window_seconds)
    cache_key = _cache_key(scope, key, window_seconds, bucket)
    # Kept a little past the window's end, so a counter never vanishes inside its own window.
    timeout = window_seconds + 60
    if cache.add(cache_key, 1, timeout=timeout):
        counted = 1
    else:
        try:
            counted = cache.incr(cache_key)
        except ValueError:  # expired between `add` and `incr`: this hit starts it again
            cache.add(cache_key, 1, timeout=timeout)
            counted = 1
    return Hit(count=counted, limit=limit, retry_after=seconds_left(window_seconds, now=moment))


def reset(scope: str, key: str, *, window_seconds: int, now: float | None = None) -> None:
    """Forget the current window's count for `key` (for the secretariat, or tests)."""
    moment = time.time() if now is None else now
    cache.delete(_cache_key(scope, key, window_seconds, int(moment // window_seconds)))
