"""The LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    f = σ(W_f x + U_f h_prev + b_f)          forget gate
    i = σ(W_i x + U_i h_prev + b_i)          input gate
    g = tanh(W_g x + U_g h_prev + b_g)       candidate C̃
    o = σ(W_o x + U_o h_prev + b_o)          output gate
    c = f ⊙ c_prev + i ⊙ g                   cell state C_t
    h = o ⊙ tanh(c)                          hidden state h_t

With ``proj_size = P > 0`` (Sak et al. 2014, as in ``torch.nn.LSTM``) the hidden state is projected,
``h = W_hr (o ⊙ tanh(c))`` with ``W_hr`` of shape (P, H), and the gates read that (B, P) ``h``.

Variants are options of this one cell (the table is in ``variants.py``):
    peepholes="ifo" or a subset (Gers & Schmidhuber 2000)   i, f add p ⊙ c_prev; o adds p ⊙ c
    coupled=True (CIFG)                                      i = 1 − f; the cell has no gate i
    input_gate / forget_gate / output_gate=False             i = 1 / f = 1 / o = 1 (NIG, NFG, NOG)
    input_activation / output_activation="identity"          no tanh on g / on c (NIAF, NOAF)
    gate_recurrence=True (FGR)                               i, f, o also read a = [i; f; o]_{t-1}
    layer_norm=True (Ba et al. 2016)                         LN of each W x, U h; o ⊙ tanh(LN(c))
    variant="vanilla" | "NIG" | ... | "FGR"                  the ablations of Greff et al. (2017)

Shapes: x (B, D); h (B, H) or (B, P); c (B, H). Letters as in ``cells.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import torch
from torch import nn

from ._validate import check_input, check_sizes, check_state
from .cells import ACTIVATIONS, Gate, layer_norm, layer_norm_parameters
from .variants import resolve_options, variant_name


class LSTMState(NamedTuple):
    """The two states an LSTM carries from step to step."""

    h: torch.Tensor  # (B, H) hidden state / output, (B, P) with a projection
    c: torch.Tensor  # (B, H) cell state


class FGRState(NamedTuple):
    """The state of a cell with full gate recurrence (FGR): h, c and the last gate activations."""

    h: torch.Tensor  # (B, H) or (B, P)
    c: torch.Tensor  # (B, H)
    a: torch.Tensor  # (B, G·H) the previous step's learned gates, concatenated in the order i, f, o


class LSTMStep(NamedTuple):
    """Every activation the cell computed at one step (a trace stacks them over time)."""

    f: torch.Tensor  # (B, H)
    i: torch.Tensor  # (B, H)
    g: torch.Tensor  # (B, H) the candidate C̃
    o: torch.Tensor  # (B, H)
    c: torch.Tensor  # (B, H)
    h: torch.Tensor  # (B, H) or (B, P)


class LSTMCell(nn.Module):
    """An LSTM cell; equals ``torch.nn.LSTMCell`` (and one step of ``torch.nn.LSTM``).

    Args:
        input_size: D.  hidden_size: H.  bias: learn b_f, b_i, b_g, b_o.
        proj_size: P > 0 adds the output projection W_hr (P, H), as in ``torch.nn.LSTM``.
        variant: a name from ``variants.VARIANTS`` ("vanilla", "NIG", ..., "CIFG", "FGR"), or
            the individual options below (see ``variants.LSTMOptions``), not both.
        peepholes: gates that read the cell state, any subset of "ifo".  coupled: i = 1 − f.
        input_gate, forget_gate, output_gate: False fixes that gate at 1.
        input_activation, output_activation: "tanh" or "identity".  gate_recurrence: FGR.
        layer_norm: layer normalisation (Ba et al. 2016), per gate; see ``variants.py``.
    Parameters: gates ``f, i, g, o`` (each a ``Gate`` with W (H, D), U (H, H|P), b (H,), and p (H,)
    with a peephole); a gate the variant does not have is None (``cell.i`` with coupled=True).
    With FGR, U of gates i, f, o is (H, R + G·H): it reads [h_prev; a_prev].
    Shapes: ``x`` (B, D), ``state`` LSTMState(h (B, H|P), c (B, H)) or None  ->  LSTMState
    (FGRState(h, c, a) with gate_recurrence; a pair (h, c) is accepted and starts a at 0).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        proj_size: int = 0,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        *,
        variant: str | None = None,
        peepholes: str | Iterable[str] = "",
        coupled: bool = False,
        input_gate: bool = True,
        forget_gate: bool = True,
        output_gate: bool = True,
        input_activation: str = "tanh",
        output_activation: str = "tanh",
        gate_recurrence: bool = False,
        layer_norm: bool = False,
    ) -> None:
        super().__init__()
        check_sizes(input_size=input_size, hidden_size=hidden_size)
        if not isinstance(proj_size, int) or not 0 <= proj_size < hidden_size:
            raise ValueError(
                f"proj_size must be an integer in [0, hidden_size) = [0, {hidden_size}), "
                f"got {proj_size!r}"
            )
        if not isinstance(peepholes, str):
            try:
                peepholes = "".join(peepholes)
            except TypeError:
                raise TypeError(
                    "peepholes must be a string such as 'ifo' or a set of gate names such as "
                    f"{{'i', 'f'}}, got {peepholes!r}"
                ) from None
        self.options = opts = resolve_options(
            variant,
            peepholes=peepholes,
            coupled=coupled,
            input_gate=input_gate,
            forget_gate=forget_gate,
            output_gate=output_gate,
            input_activation=input_activation,
            output_activation=output_activation,
            gate_recurrence=gate_recurrence,
            layer_norm=layer_norm,
        )
        self.input_size, self.hidden_size, self.proj_size = input_size, hidden_size, proj_size
        R = proj_size or hidden_size  # size of the h the gates read
        A = len(opts.gates) * hidden_size if opts.gate_recurrence else 0  # size of a_prev (FGR)

        def gate(name: str, activation: str) -> Gate | None:
            if name != "g" and name not in opts.gates:
                return None
            return Gate(
                input_size,
                hidden_size,
                activation,
                bias=bias,
                peephole=name in opts.peepholes,
                recurrent_size=R if name == "g" else R + A,
                dtype=dtype,
                device=device,
                layer_norm=opts.layer_norm,
            )

        self.f = gate("f", "sigmoid")
        self.i = gate("i", "sigmoid")
        self.g = gate("g", opts.input_activation)
        self.o = gate("o", "sigmoid")
        if proj_size:
            k = 1.0 / math.sqrt(hidden_size)
            W_hr = torch.empty(proj_size, hidden_size, dtype=dtype, device=device)
            self.W_hr = nn.Parameter(W_hr.uniform_(-k, k))
        else:
            self.W_hr = None
        ln = layer_norm_parameters(hidden_size, dtype, device, opts.layer_norm)
        self.gamma_c, self.beta_c = ln  # LN of c before the output

    @property
    def dtype(self) -> torch.dtype:
        return self.g.W.dtype

    @property
    def output_size(self) -> int:
        """Size of h: P with a projection, else H."""
        return self.proj_size or self.hidden_size

    @property
    def variant(self) -> str | None:
        """The Greff et al. (2017) name of this cell's options ("NP" is the plain LSTM), or None."""
        return variant_name(self.options)

    def initial_state(self, x: torch.Tensor) -> LSTMState | FGRState:
        """Zeros for a batch like ``x`` (B, D)."""
        B = x.shape[0]
        h, c = x.new_zeros(B, self.output_size), x.new_zeros(B, self.hidden_size)
        if self.options.gate_recurrence:
            return FGRState(h, c, x.new_zeros(B, len(self.options.gates) * self.hidden_size))
        return LSTMState(h, c)

    def check_state(self, state: object, batch: int) -> LSTMState | FGRState:
        fgr = self.options.gate_recurrence
        if not (isinstance(state, tuple) and len(state) in ((2, 3) if fgr else (2,))):
            raise TypeError(
                "an LSTM state must be a pair (h, c), e.g. LSTMState(h, c)"
                + (", or FGRState(h, c, a) for a cell with gate_recurrence" if fgr else "")
                + f", got {type(state).__name__}"
                + (f" of length {len(state)}" if isinstance(state, tuple) else "")
            )
        h = check_state(state[0], (batch, self.output_size), self.dtype, "h")
        c = check_state(state[1], (batch, self.hidden_size), self.dtype, "c")
        if not fgr:
            return LSTMState(h, c)
        A = len(self.options.gates) * self.hidden_size
        a = c.new_zeros(batch, A) if len(state) == 2 else state[2]
        return FGRState(h, c, check_state(a, (batch, A), self.dtype, "a"))

    def _gate(self, gate: Gate | None, x: torch.Tensor, r: torch.Tensor, c: torch.Tensor):
        """A learned gate's activation, or 1 where the variant has no such gate."""
        return torch.ones_like(c) if gate is None else gate(x, r, c)

    def step(self, x: torch.Tensor, state: LSTMState) -> tuple[LSTMState, LSTMStep]:
        """One unchecked step: the six equations of the module docstring."""
        h_prev, c_prev = state[0], state[1]
        fgr = self.options.gate_recurrence  # then the gates also read the last gate values a
        r = torch.cat([h_prev, state.a], 1) if fgr else h_prev  # (B, R) or (B, R + G·H)
        f = self._gate(self.f, x, r, c_prev)  # (B, H)   NFG: f = 1
        i = 1 - f if self.options.coupled else self._gate(self.i, x, r, c_prev)  # (B, H)   NIG: 1
        g = self.g(x, h_prev)  # (B, H)   NIAF: no tanh
        c = f * c_prev + i * g  # (B, H)
        o = self._gate(self.o, x, r, c)  # (B, H)   its peephole reads the new c; NOG: o = 1
        c_out = c if self.gamma_c is None else layer_norm(c, self.gamma_c, self.beta_c)  # LN(c)
        h = o * ACTIVATIONS[self.options.output_activation](c_out)  # (B, H)   NOAF: h = o ⊙ c
        if self.W_hr is not None:
            h = h @ self.W_hr.T  # (B, P)
        record = LSTMStep(f, i, g, o, c, h)
        if fgr:
            gates = dict(i=i, f=f, o=o)
            a = torch.cat([gates[k] for k in self.options.gates], dim=1)  # (B, G·H)
            return FGRState(h, c, a), record
        return LSTMState(h, c), record

    def forward(self, x: torch.Tensor, state: tuple | None = None) -> LSTMState:
        """x (B, D), state (h, c) or None  ->  LSTMState(h, c)."""
        x = check_input(x, self.input_size, self.dtype)
        state = self.initial_state(x) if state is None else self.check_state(state, x.shape[0])
        return self.step(x, state)[0]

    def extra_repr(self) -> str:
        proj = f", proj_size={self.proj_size}" if self.proj_size else ""
        options = "".join(f", {k}={v!r}" for k, v in self.options.changes().items())
        return f"{self.input_size}, {self.hidden_size}, bias={self.g.b is not None}{proj}{options}"
