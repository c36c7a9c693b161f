import os

import pytest


@pytest.fixture(scope="session")
def base_url() -> str:
    return os.environ["SWITCHYARD_URL"]


@pytest.fixture(scope="session")
def key() -> str:
    return os.environ["SWITCHYARD_KEY"]
