"""Fixtures shared by the board core's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def io(board):
    return board["improving_outcomes"]
