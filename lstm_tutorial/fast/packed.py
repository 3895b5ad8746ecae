"""PackedSequence in and out for the loops of ``stack.py``, with torch's conventions.

torch packs sequences sorted by length; ``sorted_indices`` maps the packed order to the batch order
the user gave and ``unsorted_indices`` back. Its RNNs take h0 and return h_n in the user's order and
hand back a PackedSequence with the same batch_sizes and indices. Here we unpack to a padded
(T, B, D) tensor in the user's order with a mask ``t < length`` (T, B), run, and pack the outputs
in the input's own sorted order.
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence


def unpack(x: PackedSequence) -> tuple[torch.Tensor, torch.Tensor]:
    """PackedSequence  ->  padded x (T, B, D) in the user's batch order, mask (T, B)."""
    padded, lengths = pad_packed_sequence(x)  # (T, B, D), (B,)
    T = padded.shape[0]
    mask = torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)  # (T, B)
    return padded, mask.to(padded.device)


def repack(output: torch.Tensor, like: PackedSequence, mask: torch.Tensor) -> PackedSequence:
    """Padded output (T, B, H) in the user's order  ->  a PackedSequence laid out as ``like``."""
    lengths = mask.sum(0).cpu()  # (B,)
    order = like.sorted_indices
    if order is not None:
        output, lengths = output.index_select(1, order), lengths[order.cpu()]
    data = pack_padded_sequence(output, lengths, enforce_sorted=True).data
    return PackedSequence(data, like.batch_sizes, like.sorted_indices, like.unsorted_indices)
