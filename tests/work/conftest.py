from __future__ import annotations

import pytest

from tests.scoring.helpers import World, build_world


@pytest.fixture
def world(db_session) -> World:
    return build_world(db_session)
