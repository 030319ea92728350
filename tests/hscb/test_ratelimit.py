"""The fixed-window rate limit: counted per scope and key, every hit counted, a fresh count in
each window, and the key never stored as it was given."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from hscb.lib import ratelimit

WINDOW = 600
START = 1_800_000_000.0  # on a window's edge (a multiple of 600)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def hits(n: int, key: str = "192.0.2.1", *, now: float = START, limit: int = 3):
    return [
        ratelimit.hit("test", key, limit=limit, window_seconds=WINDOW, now=now) for _ in range(n)
    ]


def test_hits_within_the_limit_are_allowed_and_the_next_is_not():
    results = hits(4)
    assert [h.count for h in results] == [1, 2, 3, 4]
    assert [h.allowed for h in results] == [True, True, True, False]


def test_refused_hits_still_count():
    results = hits(6)
    assert results[-1].count == 6
    assert not results[-1].allowed


def test_each_key_has_its_own_count():
    hits(4, "192.0.2.1")
    other = ratelimit.hit("test", "2001:db8::1", limit=3, window_seconds=WINDOW, now=START)
    assert other.count == 1
    assert other.allowed


def test_each_scope_has_its_own_count():
    hits(4)
    other = ratelimit.hit("another form", "192.0.2.1", limit=3, window_seconds=WINDOW, now=START)
    assert other.count == 1


def test_a_new_window_starts_a_new_count():
    assert not hits(4, now=START + 10)[-1].allowed
    fresh = ratelimit.hit("test", "192.0.2.1", limit=3, window_seconds=WINDOW, now=START + WINDOW)
    assert fresh.count == 1
    assert fresh.allowed


def test_retry_after_counts_the_seconds_left_in_the_window():
    hit = ratelimit.hit("test", "192.0.2.1", limit=3, window_seconds=WINDOW, now=START + 100.5)
    assert hit.retry_after == 499


def test_the_key_is_not_stored_as_given():
    hits(1, "192.0.2.77")
    stored = list(cache._cache.keys())  # the local-memory cache used by the tests
    assert stored
    assert not any("192.0.2.77" in key for key in stored)


def test_a_counter_that_expired_between_add_and_incr_starts_again(monkeypatch):
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)

    def gone(*args, **kwargs):
        raise ValueError("Key not found")

    monkeypatch.setattr(cache, "incr", gone)
    hit = ratelimit.hit("test", "192.0.2.1", limit=3, window_seconds=WINDOW, now=START)
    assert hit.count == 1
    assert hit.allowed


def test_reset_forgets_the_count():
    hits(4)
    ratelimit.reset("test", "192.0.2.1", window_seconds=WINDOW, now=START)
    assert hits(1)[0].count == 1


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (3, 0), (-1, 60)])
def test_a_limit_or_window_below_one_is_a_mistake(limit, window):
    with pytest.raises(ValueError, match="must be 1 or more"):
        ratelimit.hit("test", "192.0.2.1", limit=limit, window_seconds=window)


# Reading the count without adding to it ------------------------------------------------------


def test_count_reads_the_hits_without_adding_one():
    assert ratelimit.count("test", "192.0.2.1", window_seconds=WINDOW, now=START) == 0
    hits(2)
    for _ in range(3):
        assert ratelimit.count("test", "192.0.2.1", window_seconds=WINDOW, now=START) == 2
    assert hits(1)[0].count == 3


def test_count_is_per_scope_key_and_window():
    hits(2)
    assert ratelimit.count("other", "192.0.2.1", window_seconds=WINDOW, now=START) == 0
    assert ratelimit.count("test", "192.0.2.2", window_seconds=WINDOW, now=START) == 0
    assert ratelimit.count("test", "192.0.2.1", window_seconds=WINDOW, now=START + WINDOW) == 0


def test_seconds_left_counts_to_the_end_of_the_window():
    assert ratelimit.seconds_left(WINDOW, now=START + 100.5) == 499
    assert ratelimit.seconds_left(WINDOW, now=START + WINDOW - 0.2) == 1


# The key a client is counted by --------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1 ", "192.0.2.1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::99", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", ratelimit.UNKNOWN_CLIENT),
        (None, ratelimit.UNKNOWN_CLIENT),
        ("not an address", ratelimit.UNKNOWN_CLIENT),
        ("192.0.2.1, 198.51.100.7", ratelimit.UNKNOWN_CLIENT),
        ("999.1.1.1", ratelimit.UNKNOWN_CLIENT),
    ],
)
def test_a_client_is_counted_by_its_ipv4_address_or_its_ipv6_64(address, key):
    assert ratelimit.client_key(address) == key


def test_ipv6_addresses_in_one_64_share_a_count_and_another_64_does_not():
    def hit(address: str) -> ratelimit.Hit:
        return ratelimit.hit(
            "test", ratelimit.client_key(address), limit=3, window_seconds=WINDOW, now=START
        )

    for n in range(1, 4):
        assert hit(f"2001:db8:1:2::{n}").allowed
    assert not hit("2001:db8:1:2:ffff::1").allowed
    assert hit("2001:db8:1:3::1").count == 1
