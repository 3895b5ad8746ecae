"""The parity tolerance of STYLE.md rule 7, shared by every test module.

(Not in conftest.py: notebooks/ has a conftest.py too, and a test that imported "conftest" could get
the wrong one when pytest collects both folders in one run.)
"""

import torch

RTOL, ATOL = 1e-10, 1e-12


def assert_close(ours: torch.Tensor, theirs: torch.Tensor) -> None:
    torch.testing.assert_close(ours, theirs, rtol=RTOL, atol=ATOL)
