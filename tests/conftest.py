"""Tests run in float64 by default (parity to 1e-12 needs double precision).

Shared helpers live in tests/parity.py: import them with `from parity import assert_close`.
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
