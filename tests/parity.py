"""The parity tolerance of STYLE.md rule 7, shared by every test module.

(Not in conftest.py: the repository root has a conftest.py too, and a test that imported
"conftest" could get the wrong one when pytest collects both in one run.)
"""

import torch

RTOL, ATOL = 1e-10, 1e-12


def assert_close(ours: torch.Tensor, theirs: torch.Tensor) -> None:
    torch.testing.assert_close(ours, theirs, rtol=RTOL, atol=ATOL)


def randomize(module: torch.nn.Module, seed: int) -> None:
    """Random weights, biases and peepholes in ±[0.1, 0.8] (zero or tiny values hide bugs)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            sign = torch.randint(0, 2, p.shape, generator=g, dtype=p.dtype) * 2 - 1
            p.copy_(sign * (0.1 + 0.7 * torch.rand(p.shape, generator=g, dtype=p.dtype)))


def suffixes(num_layers: int, nd: int) -> list[str]:
    """torch's parameter-name suffixes (_l0, _l0_reverse, ...), written out independently."""
    return [f"_l{l}" + ("_reverse" if d else "") for l in range(num_layers) for d in range(nd)]
