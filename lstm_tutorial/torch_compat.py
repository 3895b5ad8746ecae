"""Conversion to and from ``torch.nn``: the only module that knows torch's weight layout.

torch stacks the gates' weights into one matrix per layer and keeps two biases:

    nn.RNNCell   weight_ih (H, D)        weight_hh (H, H)        bias_ih, bias_hh (H,)
    nn.LSTMCell  weight_ih (4H, D) = (W_i|W_f|W_g|W_o)   weight_hh (4H, H) = (U_i|U_f|U_g|U_o)
                 bias_ih, bias_hh (4H,)                   gate order i, f, g, o
    nn.GRUCell   weight_ih (3H, D) = (W_r|W_z|W_n)   weight_hh (3H, H) = (U_r|U_z|U_n)
                 bias_ih (3H,) = (b_ir|b_iz|b_in)    bias_hh (3H,) = (b_hr|b_hz|b_hn) gates r, z, n
    nn.RNN/LSTM/GRU  the same per layer and direction: weight_ih_l{l}[_reverse], ...,
                 and with proj_size > 0 also weight_hr_l{l}[_reverse] (P, H)

Our cells keep one bias per gate (the essay's b), so ``from_torch`` adds torch's two:
``b = bias_ih + bias_hh``, and ``to_torch`` puts b in ``bias_ih`` and zeros in ``bias_hh``.
The GRU's candidate is the exception: b_hn sits inside ``r ⊙ (U_n h + b_hn)``, so it stays apart
(``GRUCell.b_hn``) and ``n.b = b_in``.

Only the sum enters the function (torch keeps two biases for cuDNN), so the split cannot be read
back from b. What is exact (bitwise, tested):

- ours -> torch -> ours: every parameter, since b + 0 is b.
- torch -> ours -> torch: every weight, and both biases as long as our biases are bitwise what
  ``from_torch`` made: it keeps torch's pair on each cell as ``cell.torch_biases``
  (``TorchBiases``; a plain attribute, not a parameter or buffer: never trained, never saved).
  Once a bias changes (a training step, ``.to(dtype)``, ``load_state_dict``), ``to_torch``
  writes (b, 0) instead: the same function, a different split of the same sum.

``to_torch`` refuses what torch cannot represent (LSTM variants, an ``LSTMCell`` with proj_size,
a Cho-form GRU with ``reset_after=False``) instead of silently dropping it.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .cells import Gate, RNNCell
from .gru import GRUCell
from .layers import GRU, LSTM, RNN
from .lstm import LSTMCell

LSTM_GATE_ORDER = ("i", "f", "g", "o")  # torch's order of the stacked blocks


class TorchBiases(NamedTuple):
    """torch's two biases of one cell, as ``from_torch`` found them, and the biases it made."""

    bias_ih: torch.Tensor  # (kH,) k = 1 (RNN), 4 (LSTM), 3 (GRU)
    bias_hh: torch.Tensor  # (kH,)
    ours: tuple[torch.Tensor, ...]  # our cell's bias parameters right after loading


def _cell_biases(cell: nn.Module) -> tuple[torch.Tensor, ...]:
    """Every bias parameter of one of our cells (b of each gate, and a GRU's b_hn)."""
    return tuple(p for n, p in cell.named_parameters() if n.rsplit(".", 1)[-1] in ("b", "b_hn"))


def _pairs(ours: nn.Module, theirs: nn.Module) -> list[tuple[nn.Module, str]]:
    """(our cell, torch's parameter-name suffix) for every cell of a cell or a layer."""
    return list(zip(ours.cells, _suffixes(theirs))) if hasattr(ours, "cells") else [(ours, "")]


@torch.no_grad()
def _remember_biases(ours: nn.Module, theirs: nn.Module) -> None:
    for cell, suffix in _pairs(ours, theirs):
        b_ih, b_hh = (
            getattr(theirs, "bias_ih" + suffix, None),
            getattr(theirs, "bias_hh" + suffix, None),
        )
        if b_ih is not None:
            made = tuple(b.clone() for b in _cell_biases(cell))
            cell.torch_biases = TorchBiases(b_ih.clone(), b_hh.clone(), made)


@torch.no_grad()
def _restore_biases(ours: nn.Module, theirs: nn.Module) -> None:
    """Put back torch's own split wherever our biases are still bitwise what from_torch made."""
    for cell, suffix in _pairs(ours, theirs):
        kept, now = getattr(cell, "torch_biases", None), _cell_biases(cell)
        if kept is None or len(kept.ours) != len(now) or not now:
            continue
        same = all(
            a.dtype == b.dtype and a.device == b.device and torch.equal(a, b)
            for a, b in zip(kept.ours, now)
        )
        if same:
            getattr(theirs, "bias_ih" + suffix).copy_(kept.bias_ih)
            getattr(theirs, "bias_hh" + suffix).copy_(kept.bias_hh)


def _copy(dst: torch.Tensor | None, src: torch.Tensor | None, name: str = "") -> None:
    if (dst is None) != (src is None):
        raise ValueError("one module has a bias and the other has not (bias=True vs bias=False)")
    if dst is not None:
        if dst.shape != src.shape:
            where = f" in {name}" if name else ""
            raise ValueError(
                f"size mismatch{where}: expected {tuple(dst.shape)}, got {tuple(src.shape)}"
            )
        dst.copy_(src)


def _blocks(stacked: torch.Tensor, names: tuple[str, ...], what: str) -> list[torch.Tensor]:
    """Cut a stacked (kH, ...) tensor into its k gate blocks, refusing a ragged last block."""
    k = len(names)
    if stacked.shape[0] % k:
        raise ValueError(
            f"{what} must stack {k} equal gate blocks ({', '.join(names)}), "
            f"got shape {tuple(stacked.shape)}"
        )
    return list(stacked.chunk(k))


def _bias_sum(module: nn.Module, suffix: str) -> torch.Tensor | None:
    b_ih = getattr(module, "bias_ih" + suffix, None)
    return None if b_ih is None else b_ih + getattr(module, "bias_hh" + suffix)


def _gates(cell: LSTMCell) -> list[Gate]:
    return [getattr(cell, name) for name in LSTM_GATE_ORDER]


# ---- GRU: three stacked blocks r, z, n; b_hn kept apart (see the module docstring)


def _load_gru(cell: GRUCell, src: nn.Module, suffix: str) -> None:
    W, U = getattr(src, "weight_ih" + suffix), getattr(src, "weight_hh" + suffix)
    b_ih, b_hh = getattr(src, "bias_ih" + suffix, None), getattr(src, "bias_hh" + suffix, None)
    for gate, W_k, U_k in zip((cell.r, cell.z, cell.n), W.chunk(3), U.chunk(3)):
        _copy(gate.W, W_k), _copy(gate.U, U_k)
    if b_ih is None:
        _copy(cell.r.b, None)
        return
    (b_ir, b_iz, b_in), (b_hr, b_hz, b_hn) = b_ih.chunk(3), b_hh.chunk(3)
    _copy(cell.r.b, b_ir + b_hr), _copy(cell.z.b, b_iz + b_hz)
    _copy(cell.n.b, b_in), _copy(cell.b_hn, b_hn)


def _store_gru(cell: GRUCell, dst: nn.Module, suffix: str) -> None:
    gates = (cell.r, cell.z, cell.n)
    _copy(getattr(dst, "weight_ih" + suffix), torch.cat([gate.W for gate in gates]))  # (3H, D)
    _copy(getattr(dst, "weight_hh" + suffix), torch.cat([gate.U for gate in gates]))  # (3H, H)
    if cell.r.b is not None:
        zeros = torch.zeros_like(cell.b_hn)
        _copy(getattr(dst, "bias_ih" + suffix), torch.cat([gate.b for gate in gates]))
        _copy(getattr(dst, "bias_hh" + suffix), torch.cat([zeros, zeros, cell.b_hn]))


def _check_reset_after(cell: GRUCell) -> None:
    if not cell.reset_after:
        raise ValueError(
            "torch.nn.GRU computes only the reset_after=True form r ⊙ (U_n h + b_hn); "
            "this GRU has reset_after=False (Cho et al. 2014), which torch cannot represent"
        )


@torch.no_grad()
def _load_cell(cell: nn.Module, src: nn.Module, suffix: str) -> None:
    """Copy torch's parameters named ``weight_ih{suffix}`` etc. into one of our cells."""
    if isinstance(cell, GRUCell):
        return _load_gru(cell, src, suffix)
    W, U, b = (
        getattr(src, "weight_ih" + suffix),
        getattr(src, "weight_hh" + suffix),
        _bias_sum(src, suffix),
    )
    if isinstance(cell, RNNCell):
        _copy(cell.W, W), _copy(cell.U, U), _copy(cell.b, b)
        return
    gates, names = _gates(cell), LSTM_GATE_ORDER
    W_blocks = _blocks(W, names, "weight_ih" + suffix)  # each (H, D)
    U_blocks = _blocks(U, names, "weight_hh" + suffix)  # each (H, H) or (H, P)
    b_blocks = [None] * 4 if b is None else _blocks(b, names, "bias_ih" + suffix)
    for gate, k, W_k, U_k, b_k in zip(gates, names, W_blocks, U_blocks, b_blocks):
        _copy(gate.W, W_k, f"weight_ih{suffix}, block {k}")
        _copy(gate.U, U_k, f"weight_hh{suffix}, block {k}")
        _copy(gate.b, b_k, f"bias_ih{suffix} + bias_hh{suffix}, block {k}")
    if cell.W_hr is not None:
        _copy(cell.W_hr, getattr(src, "weight_hr" + suffix), "weight_hr" + suffix)


@torch.no_grad()
def _store_cell(cell: nn.Module, dst: nn.Module, suffix: str) -> None:
    """Copy one of our cells into torch's parameters named ``weight_ih{suffix}`` etc."""
    if isinstance(cell, GRUCell):
        return _store_gru(cell, dst, suffix)
    if isinstance(cell, RNNCell):
        W, U, b = cell.W, cell.U, cell.b
    else:
        gates = _gates(cell)
        W = torch.cat([gate.W for gate in gates])  # (4H, D)
        U = torch.cat([gate.U for gate in gates])  # (4H, H)
        b = None if gates[0].b is None else torch.cat([gate.b for gate in gates])  # (4H,)
        if cell.W_hr is not None:
            _copy(getattr(dst, "weight_hr" + suffix), cell.W_hr, "weight_hr" + suffix)
    _copy(getattr(dst, "weight_ih" + suffix), W, "weight_ih" + suffix)
    _copy(getattr(dst, "weight_hh" + suffix), U, "weight_hh" + suffix)
    if b is not None:
        _copy(getattr(dst, "bias_ih" + suffix), b)
        getattr(dst, "bias_hh" + suffix).zero_()


def _check_plain_lstm(module: nn.Module) -> None:
    """torch has only the plain LSTM: refuse a variant instead of dropping what it adds."""
    for cell in getattr(module, "cells", [module]):
        options = getattr(cell, "options", None)
        if isinstance(cell, LSTMCell) and options is not None and options != type(options)():
            plain = type(options)()
            changed = {k: v for k, v in vars(options).items() if v != getattr(plain, k)}
            raise ValueError(
                "torch.nn.LSTM/LSTMCell are the plain LSTM, without variants; "
                f"this cell sets {changed}, which torch cannot represent"
            )


def _suffixes(module: nn.Module) -> list[str]:
    nd = 2 if module.bidirectional else 1
    return [
        f"_l{l}" + ("_reverse" if d else "") for l in range(module.num_layers) for d in range(nd)
    ]


def _factory(module: nn.Module) -> dict:
    p = next(module.parameters())
    return dict(dtype=p.dtype, device=p.device)


def from_torch(module: nn.Module) -> nn.Module:
    """Return this package's equivalent of a ``torch.nn`` recurrent module, weights copied.

    Supports ``nn.RNNCell``, ``nn.RNN`` (tanh or relu), ``nn.LSTMCell``, ``nn.LSTM``,
    ``nn.GRUCell`` and ``nn.GRU`` (any ``num_layers``, ``bidirectional``, ``batch_first``,
    ``bias``, ``proj_size``).
    """
    kw = _factory(module) if any(True for _ in module.parameters()) else {}
    if isinstance(module, nn.RNNCell):
        ours = RNNCell(
            module.input_size, module.hidden_size, module.bias, module.nonlinearity, **kw
        )
        _load_cell(ours, module, "")
    elif isinstance(module, nn.LSTMCell):
        ours = LSTMCell(module.input_size, module.hidden_size, module.bias, **kw)
        _load_cell(ours, module, "")
    elif isinstance(module, nn.GRUCell):
        ours = GRUCell(module.input_size, module.hidden_size, module.bias, **kw)
        _load_cell(ours, module, "")
    elif type(module) in (nn.RNN, nn.LSTM, nn.GRU):
        if module.dropout:
            raise ValueError(
                f"dropout between layers is not supported, got dropout={module.dropout}"
            )
        common = dict(
            num_layers=module.num_layers,
            bias=module.bias,
            batch_first=module.batch_first,
            bidirectional=module.bidirectional,
            **kw,
        )
        if isinstance(module, nn.LSTM):
            ours = LSTM(module.input_size, module.hidden_size, proj_size=module.proj_size, **common)
        elif isinstance(module, nn.GRU):
            ours = GRU(module.input_size, module.hidden_size, **common)
        else:
            ours = RNN(
                module.input_size, module.hidden_size, nonlinearity=module.nonlinearity, **common
            )
        for cell, suffix in zip(ours.cells, _suffixes(module)):
            _load_cell(cell, module, suffix)
    else:
        raise TypeError(
            "from_torch supports nn.RNNCell, nn.RNN, nn.LSTMCell, nn.LSTM, nn.GRUCell and nn.GRU, "
            f"got {type(module).__name__}"
        )
    _remember_biases(ours, module)
    return ours


def to_torch(module: nn.Module) -> nn.Module:
    """Return the ``torch.nn`` module equivalent to one of ours, weights copied."""
    _check_plain_lstm(module)
    kw = _factory(module)
    if isinstance(module, RNNCell):
        theirs = nn.RNNCell(
            module.input_size, module.hidden_size, module.b is not None, module.nonlinearity, **kw
        )
        _store_cell(module, theirs, "")
    elif isinstance(module, LSTMCell):
        if module.proj_size:
            raise ValueError("torch.nn.LSTMCell has no proj_size; wrap the cell in an LSTM layer")
        theirs = nn.LSTMCell(module.input_size, module.hidden_size, module.f.b is not None, **kw)
        _store_cell(module, theirs, "")
    elif isinstance(module, GRUCell):
        _check_reset_after(module)
        theirs = nn.GRUCell(module.input_size, module.hidden_size, module.r.b is not None, **kw)
        _store_cell(module, theirs, "")
    elif isinstance(module, (RNN, LSTM, GRU)):
        first = module.cells[0]
        if isinstance(first, GRUCell):
            _check_reset_after(first)
        gate = first.r if isinstance(first, GRUCell) else getattr(first, "f", first)
        bias = gate.b is not None  # an RNNCell is its own single layer
        common = dict(
            num_layers=module.num_layers,
            bias=bias,
            batch_first=module.batch_first,
            bidirectional=module.bidirectional,
            **kw,
        )
        if isinstance(module, GRU):
            theirs = nn.GRU(module.input_size, module.hidden_size, **common)
        elif isinstance(module, LSTM):
            theirs = nn.LSTM(
                module.input_size, module.hidden_size, proj_size=module.proj_size, **common
            )
        else:
            theirs = nn.RNN(
                module.input_size, module.hidden_size, nonlinearity=first.nonlinearity, **common
            )
        for cell, suffix in zip(module.cells, _suffixes(theirs)):
            _store_cell(cell, theirs, suffix)
    else:
        raise TypeError(
            "to_torch supports this package's RNNCell, RNN, LSTMCell, LSTM, GRUCell and GRU, "
            f"got {type(module).__name__}"
        )
    _restore_biases(module, theirs)
    return theirs
