"""Shared test helpers: float64 everywhere, and the parity tolerance of STYLE.md rule 7."""

import pytest
import torch

RTOL, ATOL = 1e-10, 1e-12


def assert_close(ours: torch.Tensor, theirs: torch.Tensor) -> None:
    torch.testing.assert_close(ours, theirs, rtol=RTOL, atol=ATOL)


@pytest.fixture(autouse=True)
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
