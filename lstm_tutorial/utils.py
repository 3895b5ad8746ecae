"""Small helpers every notebook uses: seeding and float64 by default for parity checks."""

from __future__ import annotations

import random

import numpy as np
import torch


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and torch so that a notebook prints the same numbers on every run."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
