"""Conversion from the official xLSTM (Beck et al. 2024; PyPI ``xlstm`` 2.0.6): the only module
that knows its parameter layout. ``xlstm`` is imported lazily (it is in the test and lab extras).

    sLSTMCell (backend "vanilla")   _recurrent_kernel_ (NH, 4·DH, DH): per head the gates' R
                                     stacked (i|f|z|o), each (DH_out, DH_in)  ->  R (NH, 4, DH, DH)
                                     _bias_ (4H,) gate-major (i|f|z|o), heads inside  ->  b
                                     input: the pre-activations (B, S, 4H), same layout -> W = None
                                     state (4, B, H) = (y, c, n, m)  <->  SLSTMState(h, c, n, m)
    mLSTMCell                        igate, fgate: Linear(3E, NH)  ->  w_i, b_i, w_f, b_f
                                     outnorm.weight (E,) stores γ − 1  ->  gamma = 1 + weight
                                     state C (B, NH, DH, DH), n (B, NH, DH, 1), m (B, NH, 1, 1)
    mLSTMLayer                       proj_up, proj_down -> up, down; conv1d.conv (I, 1, K) ->
                                     conv_weight (I, K); q_proj, k_proj, v_proj (I/P, P, P) ->
                                     q, k, v; learnable_skip -> skip; mlstm_cell -> cell

The sLSTM's "cuda" backend computes the same function with compiled kernels on a GPU; only the
vanilla one runs here, and ``from_xlstm`` reads the parameters the same way from either.
"""

from __future__ import annotations

import torch
from torch import nn

from ..modern import MLSTMCell, MLSTMLayer, MLSTMState, SLSTMCell, SLSTMState


def _factory(module: nn.Module) -> dict:
    p = next(module.parameters())
    return dict(dtype=p.dtype, device=p.device)


def from_xlstm(module: nn.Module) -> nn.Module:
    """Return this package's equivalent of an official xLSTM cell, parameters copied.

    Supports ``xlstm.blocks.slstm.cell.sLSTMCell`` (function "slstm", any heads; build it with
    backend="vanilla" on a CPU) -> ``SLSTMCell(None, H, NH)``,
    ``xlstm.blocks.mlstm.cell.mLSTMCell`` -> ``MLSTMCell(E, NH)``, and
    ``xlstm.blocks.mlstm.layer.mLSTMLayer`` -> ``MLSTMLayer`` (dropout is not converted).
    """
    from xlstm.blocks.mlstm.cell import mLSTMCell
    from xlstm.blocks.mlstm.layer import mLSTMLayer
    from xlstm.blocks.slstm.cell import sLSTMCellBase

    if isinstance(module, sLSTMCellBase):
        config = module.config
        if config.function != "slstm":
            raise ValueError(f"only the sLSTM function converts, got function={config.function!r}")
        H, NH, DH = config.hidden_size, config.num_heads, config.head_dim
        ours = SLSTMCell(None, H, NH, **_factory(module))
        # the proxy gives (NH, DH_in, 4, DH_out) for either backend
        R = module.recurrent_kernel[:, :, :, :].detach()
        with torch.no_grad():
            ours.R.copy_(R.permute(0, 2, 3, 1).reshape(NH, 4, DH, DH))
            ours.b.copy_(module.bias[:, :, :].detach().permute(1, 0, 2).reshape(4 * H))
        return ours
    if isinstance(module, mLSTMCell):
        config = module.config
        ours = MLSTMCell(config.embedding_dim, config.num_heads, **_factory(module))
        with torch.no_grad():
            ours.w_i.copy_(module.igate.weight)
            ours.b_i.copy_(module.igate.bias)
            ours.w_f.copy_(module.fgate.weight)
            ours.b_f.copy_(module.fgate.bias)
            ours.gamma.copy_(1.0 + module.outnorm.weight)
        return ours
    if isinstance(module, mLSTMLayer):
        return _mlstm_layer(module)
    raise TypeError(
        "from_xlstm supports xlstm's sLSTMCell (vanilla backend), mLSTMCell and mLSTMLayer, "
        f"got {type(module).__name__}"
    )


def _mlstm_layer(module: nn.Module) -> MLSTMLayer:
    config = module.config
    if module.conv1d.conv is None:
        raise ValueError("only an mLSTMLayer with a convolution (conv1d_kernel_size > 0) converts")
    P = config._inner_embedding_dim // module.q_proj.config.num_heads
    ours = MLSTMLayer(
        config.embedding_dim,
        config._inner_embedding_dim,
        config.num_heads,
        config.conv1d_kernel_size,
        P,
        bias=config.bias,
        **_factory(module),
    )
    ours.cell = from_xlstm(module.mlstm_cell)
    with torch.no_grad():
        ours.up.load_state_dict(module.proj_up.state_dict())
        ours.down.load_state_dict(module.proj_down.state_dict())
        ours.conv_weight.copy_(module.conv1d.conv.weight[:, 0])
        ours.conv_bias.copy_(module.conv1d.conv.bias)
        for name in "qkv":
            proj = getattr(module, f"{name}_proj")
            getattr(ours, name).copy_(proj.weight)
            if proj.bias is not None:
                getattr(ours, f"{name}_bias").copy_(proj.bias)
        ours.skip.copy_(module.learnable_skip)
    return ours


def slstm_state_from_xlstm(state: torch.Tensor) -> SLSTMState:
    """The official sLSTM state (4, B, H) = (y, c, n, m) -> ``SLSTMState``."""
    return SLSTMState(*state.unbind(0))


def slstm_state_to_xlstm(state: SLSTMState) -> torch.Tensor:
    """``SLSTMState`` -> the official (4, B, H)."""
    return torch.stack(tuple(state))


def mlstm_state_from_xlstm(state: tuple[torch.Tensor, ...]) -> MLSTMState:
    """The official mLSTM state (C, n (B, NH, DH, 1), m (B, NH, 1, 1)) -> ``MLSTMState``."""
    C, n, m = state
    return MLSTMState(C, n[..., 0], m[..., 0, 0])


def mlstm_state_to_xlstm(state: MLSTMState) -> tuple[torch.Tensor, ...]:
    """``MLSTMState`` -> the official (C, n (B, NH, DH, 1), m (B, NH, 1, 1))."""
    return state.C, state.n[..., None], state.m[..., None, None]
