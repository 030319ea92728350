"""The bench's verdicts: which pages grow with the data and which are too slow. (The bench
itself is run by hand, `make bench`; these check how it reads its own figures.)"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from hscb.management.commands.bench import Result, growth_report


def results(*pages: tuple[str, float, int]) -> list[Result]:
    """The minimal view at 5 ms, then each page's median and queries."""
    measured = [Result("/bench/minimal/", "chair", 5.0, 5.0, 3)]
    measured += [Result(url, "chair", ms, ms, queries) for url, ms, queries in pages]
    for r in measured:
        r.ratio = r.median_ms / 5.0
    return measured


def test_a_page_that_grows_or_is_slow_is_named_and_a_quick_one_may_wobble():
    small = results(("/grows/", 60, 9), ("/wobbles/", 20, 9), ("/flat/", 80, 9), ("/x.csv", 10, 3))
    large = results(
        ("/grows/", 100, 9), ("/wobbles/", 40, 9), ("/flat/", 160, 9), ("/x.csv", 90, 3)
    )
    grew, slow = growth_report(large, small)
    # /grows/: 1.67 times, at 20 times the minimal view. /wobbles/ doubles at 8 times the
    # minimal view: allowed. /flat/ doubles too, at 32 times: it grows, and is too slow.
    assert grew == ["/grows/ as chair: 60 -> 100 ms", "/flat/ as chair: 80 -> 160 ms"]
    assert slow == ["/flat/ as chair: 32x the minimal view"]


def test_a_page_whose_queries_grow_is_named_whatever_its_time():
    grew, slow = growth_report(results(("/p/", 6, 12)), results(("/p/", 6, 9)))
    assert grew == ["/p/ as chair: 9 -> 12 queries"] and slow == []


def test_without_a_second_scale_only_slow_pages_are_named():
    grew, slow = growth_report(results(("/p/", 200, 9), ("/q/", 20, 9)), None)
    assert grew == [] and slow == ["/p/ as chair: 40x the minimal view"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"only": ["/no-such-page/"]}, "No page matches --only."),
        ({"scale": 10, "compare_scale": 20}, "--compare-scale must be at least 1 and less"),
        ({"repeat": 0}, "--scale and --repeat must be at least 1."),
    ],
)
def test_the_bench_refuses_what_it_cannot_measure(settings, options, message):
    settings.DEBUG = True
    with pytest.raises(CommandError, match=message):
        call_command("bench", **options)


def test_the_load_run_refuses_without_postgresql(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match=r"PostgreSQL|at least 1"):
        call_command("bench_load", users=0)
