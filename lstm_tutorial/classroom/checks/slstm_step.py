"""Check for notebook 16: the stabilised step of the sLSTM (Beck et al. 2024) from its gate
pre-activations, after the first step (n_prev > 0). The reference is the package's own
``modern.slstm.stabilised_step``, the update ``SLSTMCell.step`` runs; the known mistakes are in
``_slstm_mistakes``.

    log f = log σ(f̃)
    m = max(ĩ, m_prev + log f)
    i = exp(ĩ − m),   f = exp(m_prev + log f − m)
    c = f ⊙ c_prev + i ⊙ tanh(z̃),   n = f ⊙ n_prev + i,   h = σ(õ) ⊙ c / n

Arguments: ĩ, f̃, z̃, õ (named i_, f_, z_, o_), c_prev, n_prev, m_prev, all (B, H).
"""

from __future__ import annotations

import torch

from ._slstm_mistakes import ARGS, SLSTM_MISTAKES, reference
from .calling import ERROR_HINTS
from .cases import SHAPES, Case, uniform
from .runner import Exercise, run

DEFAULT_HINT = (
    "all seven inputs and the four results are (B, H), and every operation is element-wise"
)


def _cases(g: torch.Generator) -> list[Case]:
    """Pre-activations of both signs and up to ±6, any c_prev and m_prev, n_prev > 0."""
    cases = []
    for B, _, H in SHAPES:
        pre = [3 * torch.randn(B, H, generator=g, dtype=torch.float64) for _ in range(4)]
        c_prev = 2 * torch.randn(B, H, generator=g, dtype=torch.float64)
        n_prev = uniform(g, B, H, low=0.5, high=3.0)
        m_prev = 2 * torch.randn(B, H, generator=g, dtype=torch.float64)
        cases.append(Case((*pre, c_prev, n_prev, m_prev), B, 0, H))
    i_, f_, _, _, _, _, m_prev = cases[-1].args  # where a naive exp or log σ gives up:
    i_[0, 0], f_[0, 0], m_prev[0, 0] = 0.0, -800.0, 900.0  # σ(f̃) = 0, log σ(f̃) = −800
    i_[1, 1], f_[1, 1], m_prev[1, 1] = 800.0, 0.0, 0.0  # exp(ĩ) = inf, exp(ĩ − m) = 1
    return cases


LARGE = (
    "pre-activations as large as the sLSTM meets (ĩ = 800, f̃ = −800, m_prev = 900): compute "
    "log σ(f̃) with F.logsigmoid(f_), not torch.log(torch.sigmoid(f_)), and exponentiate only "
    "differences, exp(ĩ − m), never exp(ĩ) alone"
)


def _large(case: Case, result: tuple, expected: tuple, student=None) -> str | None:
    """Right on moderate inputs, wrong on the case with extreme ones."""
    if max(a.abs().max().item() for a in case.args) > 100:
        return f"slstm_step is right for moderate inputs but not for {LARGE}."
    return None


SLSTM_STEP = Exercise(
    name="slstm_step",
    equation="m = max(ĩ, m_prev + log σ(f̃)), i = exp(ĩ − m), f = exp(m_prev + log σ(f̃) − m), "
    "c = f ⊙ c_prev + i ⊙ tanh(z̃), n = f ⊙ n_prev + i, h = σ(õ) ⊙ c / n",
    outputs=("h", "c", "n", "m"),
    arg_names=ARGS,
    reference=reference,
    cases=_cases,
    mistakes=SLSTM_MISTAKES,
    sizes="BH",
    hints=[
        ("mat1 and mat2", "⊙ is the element-wise product, written *, not the matrix product @"),
        ("must match the size",
         "all seven inputs have shape (B, H) and every line is element-wise: ⊙ is *, not @, and "
         "the stabiliser is torch.maximum(i_, m_prev + log_f), not a max over a dimension"),
        ("logsigmoid", "log σ(f̃) is torch.nn.functional.logsigmoid(f_)"),
        ("torch.return_types", "a max over a dimension returns (values, indices): the larger of "
         "two tensors is torch.maximum(i_, m_prev + log_f)"),
        *ERROR_HINTS,
        ("", DEFAULT_HINT),
    ],
    shape_hint="⊙ is the element-wise product, written *, not the matrix product @",
    nan_hint=f"an exp overflowed or a log met 0, as happens at {LARGE}",
    diagnose=_large,
    faults=(
        ("h", "h = σ(õ) ⊙ c / n"),
        ("h c", "c = f ⊙ c_prev + i ⊙ tanh(z̃)"),
        ("h n", "n = f ⊙ n_prev + i"),
        ("m", "the m you return: m = max(ĩ, m_prev + log f), the one i and f were computed with"),
        ("h c n", "the gates i = exp(ĩ − m) or f = exp(m_prev + log f − m), which c and n share"),
        ("c n", "i = exp(ĩ − m) and f = exp(m_prev + log f − m): c and n carry the same wrong "
         "factor, which h = c / n cancels"),
        ("c n m", "the stabiliser m = max(ĩ, m_prev + log f), which h = c / n cancels"),
    ),
)  # fmt: skip


def check_slstm_step(slstm_step: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``slstm_step(i_, f_, z_, o_, c_prev, n_prev, m_prev) -> (h, c, n, m)``, all (B, H)."""
    run(SLSTM_STEP, slstm_step, seed, quiet)
