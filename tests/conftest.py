"""Shared fixtures: the default shop FAQ and a policy, as a seller would run them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from faq.loader import load_faq
from faq.model import Faq
from flows.policy import Policy

ROOT = Path(__file__).resolve().parent.parent

# Property tests explore new inputs on every local run; on CI they replay a fixed set, so a
# submission is never refused for a case nobody had met before (run locally to find those).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def shop_faq() -> Faq:
    return load_faq(ROOT / "faq" / "faq.yaml").faq


@pytest.fixture
def policy() -> Policy:
    return Policy(shop_name="Toko Batik Sari", language="id")
