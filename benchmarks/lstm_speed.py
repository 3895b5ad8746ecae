"""Forward + backward time of this package's LSTM layers against ``torch.nn.LSTM``, on one thread.

    python benchmarks/lstm_speed.py [--pairs 15]        (or ``make bench``)

For each size (B, T, D, H) it times ``from_torch(nn.LSTM(D, H))`` (the plain LSTM, which runs on
torch's kernel) and ``LSTM(D, H, peepholes="ifo")`` (the fused loop; torch has no peephole LSTM)
against the same ``nn.LSTM``, float32 on the CPU. The runs are interleaved (torch, ours, peephole,
torch, ...) so that a busy neighbour slows all of them alike, and each ratio is the median over
the pairs of (our time / torch's time) measured back to back.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from lstm_tutorial import LSTM, from_torch

SIZES = [(32, 100, 32, 128), (64, 50, 64, 256), (8, 200, 16, 64)]  # (B, T, D, H)


def seconds(layer: nn.Module, x: torch.Tensor, repeats: int) -> float:
    """Mean time of ``repeats`` forward + backward passes (loss = sum of the outputs)."""
    start = time.perf_counter()
    for _ in range(repeats):
        layer.zero_grad(set_to_none=True)
        output, _ = layer(x)
        output.sum().backward()
    return (time.perf_counter() - start) / repeats


def ratios(B: int, T: int, D: int, H: int, pairs: int) -> dict[str, float]:
    """Median over interleaved pairs of our time / torch.nn.LSTM's time."""
    torch.manual_seed(0)
    theirs = nn.LSTM(D, H)
    models = {"plain": from_torch(theirs), "peepholes": LSTM(D, H, peepholes="ifo")}
    x = torch.randn(T, B, D)
    for layer in (theirs, *models.values()):
        seconds(layer, x, 2)  # warm up (TorchScript specialises on its first calls)
    repeats = max(1, round(0.05 / seconds(theirs, x, 3)))  # ~50 ms of torch per timing
    found: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(pairs):
        for name, ours in models.items():
            reference = seconds(theirs, x, repeats)
            found[name].append(seconds(ours, x, repeats) / reference)
    return {name: statistics.median(r) for name, r in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=15, help="interleaved pairs per ratio")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, float32, forward + backward, median of pairs")
    head = "plain / nn.LSTM", "peepholes / nn.LSTM"
    print(f"{'B':>4} {'T':>4} {'D':>4} {'H':>4}  {head[0]:>16}  {head[1]:>20}")
    for B, T, D, H in SIZES:
        r = ratios(B, T, D, H, args.pairs)
        print(f"{B:>4} {T:>4} {D:>4} {H:>4}  {r['plain']:>15.2f}×  {r['peepholes']:>19.2f}×")


if __name__ == "__main__":
    main()
