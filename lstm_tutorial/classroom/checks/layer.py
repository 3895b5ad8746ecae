"""Checks for the exercises that write one learned layer, ``a = act(W x + U h_prev + b)``:
the RNN step of notebook 01 (Elman 1990, act = tanh), the forget gate (03), the input gate and
the candidate C̃ (04) and the output gate (05) of the LSTM (Hochreiter & Schmidhuber 1997, with
the forget gate of Gers et al. 2000). The reference is the package's own ``Gate``; the mistakes
are the catalogue of ``wrong_layers``.
"""

from __future__ import annotations

import torch
from torch.func import functional_call

from ...cells import Gate
from .cases import layer_cases
from .failure import close
from .runner import Exercise, Mistake, run
from .wrong_layers import FN, for_activation, with_other_activation, with_second_slip, words

ACTIVATION = {"σ": "sigmoid", "tanh": "tanh"}


def reference(act: str):
    """``Gate(D, H, act)`` run with the weights it is given: W (H, D), U (H, H), b (H,)."""

    def layer(x, h_prev, W, U, b):
        H, D = W.shape
        gate = Gate(D, H, ACTIVATION[act], dtype=torch.float64, device="meta")
        return functional_call(gate, {"W": W, "U": U, "b": b}, (x, h_prev))  # (B, H)

    return layer


def layer_mistakes(name: str, act: str, suffix: str, function: str = "") -> list[Mistake]:
    """The catalogue's wrong layers, worded for ``name = act(W{suffix} x + ...)``."""
    slots = words(act, name, suffix)
    single = [
        Mistake(w.message.format(**slots), lambda x, h, W, U, b, w=w: w.fn(x, h, W, U, b, act))
        for w in for_activation(act)
    ]
    double = [
        Mistake(f"{function or name} has two slips: " + message.format(**slots),
                lambda x, h, W, U, b, fn=fn: fn(x, h, W, U, b, act))
        for message, fn in with_other_activation(act)
    ]  # fmt: skip
    terms = [
        Mistake(f"{function or name} has two slips: " + message.format(**slots) + ".",
                lambda x, h, W, U, b, fn=fn: fn(x, h, W, U, b, act))
        for message, fn in with_second_slip(act)
    ]  # fmt: skip
    return single + double + terms


def activation_probe(name: str, act: str):
    """The exercise's own diagnosis: a result that is some function of the right sum
    z = W x + U h_prev + b, but not act(z) (a hand-written activation with a slip), found by
    calling the student's layer with x = 0 and h_prev = 0, so that z is the bias it is given."""
    right = reference(act)

    def diagnose(case, result, expected, student):
        if (result[0] - expected[0]).abs().max() < 1e-3:  # a precision slip, said as such later
            return None
        x, h_prev, W, U, b = case.args
        z = x @ W.T + h_prev @ U.T + b  # (B, H)
        zero = torch.zeros_like(x[:1]), torch.zeros_like(h_prev[:1])
        try:
            with torch.no_grad():
                probes = torch.cat([student(*zero, W.clone(), U.clone(), row) for row in z])
        except Exception:  # the probe is not a case of the task: no diagnosis from it
            return None
        if probes.shape != result[0].shape or not close(probes, result[0], 1e-8, 1e-10):
            return None
        one = torch.ones_like(b)
        with torch.no_grad():
            theirs = student(*zero, W.clone(), U.clone(), one)[0, 0].item()
        ours = right(*zero, W, U, one)[0, 0].item()
        return (
            f"{name} computes the right sum z = W x + U h_prev + b but then not {act}(z): at "
            f"z = 1 it gives {theirs:.4g}, {act}(1) = {ours:.4g}; the hand-written "
            f"{act} has a slip, so use {FN[act]}."
        )

    return diagnose


def layer_exercise(name: str, letter: str, act: str, symbol: str, suffix: str) -> Exercise:
    return Exercise(
        name=name,
        rows=True,
        equation=f"{symbol} = {act}(W{suffix} x + U{suffix} h_prev + b{suffix})",
        outputs=(letter,),
        arg_names=("x", "h_prev", f"W{suffix}", f"U{suffix}", f"b{suffix}"),
        reference=reference(act),
        cases=layer_cases,
        mistakes=layer_mistakes(symbol, act, suffix, name),
        diagnose=activation_probe(name, act),
    )


RNN_STEP = layer_exercise("rnn_step", "h", "tanh", "h", "")
FORGET_GATE = layer_exercise("forget_gate", "f", "σ", "f", "_f")
INPUT_GATE = layer_exercise("input_gate", "i", "σ", "i", "_i")
CANDIDATE = layer_exercise("candidate", "g", "tanh", "C̃", "_g")
OUTPUT_GATE = layer_exercise("output_gate", "o", "σ", "o", "_o")


def check_rnn_step(rnn_step: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``rnn_step(x, h_prev, W, U, b) -> h`` (B, H) against the reference on random inputs."""
    run(RNN_STEP, rnn_step, seed, quiet)


def check_forget_gate(forget_gate: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``forget_gate(x, h_prev, W_f, U_f, b_f) -> f`` (B, H) on random inputs."""
    run(FORGET_GATE, forget_gate, seed, quiet)


def check_input_gate(input_gate: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``input_gate(x, h_prev, W_i, U_i, b_i) -> i`` (B, H) on random inputs."""
    run(INPUT_GATE, input_gate, seed, quiet)


def check_candidate(candidate: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``candidate(x, h_prev, W_g, U_g, b_g) -> g`` (the C̃ of the essay) on random inputs."""
    run(CANDIDATE, candidate, seed, quiet)


def check_output_gate(output_gate: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``output_gate(x, h_prev, W_o, U_o, b_o) -> o`` (B, H) on random inputs."""
    run(OUTPUT_GATE, output_gate, seed, quiet)
