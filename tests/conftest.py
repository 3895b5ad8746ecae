"""Tests run in float64 by default (parity to 1e-12 needs double precision).

Shared helpers (assert_close, randomize, suffixes) are in tests/parity.py: `from parity import`.
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
