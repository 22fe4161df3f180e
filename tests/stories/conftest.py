"""Fixtures of the story tests: one scrubber for the whole session (deduce loads slowly)."""

from __future__ import annotations

import pytest

from zicht.privacy.scrub import Scrubber, get_scrubber


@pytest.fixture(scope="session")
def scrubber() -> Scrubber:
    return get_scrubber()
