"""Shared fixtures.

Public data lives in ../shared/data next to the repository. Where it is absent (a user's
own clone) the tests that need it skip with the reason; under CI (CI=true) its absence
is a failure, so a green CI always means those tests ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zicht.config import shared_data_dir


def require_shared_data() -> Path:
    found = shared_data_dir()
    if found is None or not found.is_dir():
        reason = "../shared/data (public CBS, iStandaarden and BRP test data) is not present"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}, and CI=true requires it")
        pytest.skip(reason)
    return found


@pytest.fixture
def shared_data() -> Path:
    return require_shared_data()
