"""Site-test fixtures: one `Sites` per session, so each example is built only once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from sitecheck import Sites  # noqa: E402


@pytest.fixture(scope="session")
def sites(tmp_path_factory) -> Sites:
    return Sites(tmp_path_factory.mktemp("sites"))
