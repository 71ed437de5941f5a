"""Shared fixtures: the default shop FAQ and a policy, as a seller would run them."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.loader import load_faq
from faq.model import Faq
from flows.engine import Policy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shop_faq() -> Faq:
    return load_faq(ROOT / "faq" / "faq.yaml").faq


@pytest.fixture
def policy() -> Policy:
    return Policy(shop_name="Toko Batik Sari", language="id")
