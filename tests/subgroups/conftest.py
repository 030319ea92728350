"""The register's risk ratings, as the migration makes them, for every register test."""

from __future__ import annotations

import pytest

from tests.subgroups.factories import ensure_ratings


@pytest.fixture
def ratings(db):
    return ensure_ratings()
