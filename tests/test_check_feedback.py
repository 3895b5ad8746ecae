"""The checks against many plausible wrong answers, made by mutating right ones the way students
slip (an activation swapped, a .T dropped, a sign, an operator, a variable, a detach, a rounding):
no wrong answer passes, no check crashes, and at least 90% get a sentence that names the mistake
(not the last-resort "wrong values" or a bare error with the generic hint)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import torch

from lstm_tutorial import checks
from lstm_tutorial.classroom.checks.attention import DEFAULT_HINT as ATTENTION_DEFAULT_HINT
from lstm_tutorial.classroom.checks.calling import DEFAULT_HINT
from lstm_tutorial.classroom.checks.cell_update import DEFAULT_HINT as UPDATE_DEFAULT_HINT
from lstm_tutorial.classroom.checks.failure import CheckFailed
from lstm_tutorial.classroom.checks.slstm_step import DEFAULT_HINT as SLSTM_DEFAULT_HINT
from lstm_tutorial.classroom.checks.temperature import DEFAULT_HINT as TEMPERATURE_DEFAULT_HINT

HELPERS = """
def forget_gate(x, h_prev, W_f, U_f, b_f):
    return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f)
def input_gate(x, h_prev, W_i, U_i, b_i):
    return torch.sigmoid(x @ W_i.T + h_prev @ U_i.T + b_i)
def candidate(x, h_prev, W_g, U_g, b_g):
    return torch.tanh(x @ W_g.T + h_prev @ U_g.T + b_g)
def output_gate(x, h_prev, W_o, U_o, b_o):
    return torch.sigmoid(x @ W_o.T + h_prev @ U_o.T + b_o)
def cell_update(c_prev, f, i, g):
    return f * c_prev + i * g
"""
RIGHT = {
    "rnn_step": "def rnn_step(x, h_prev, W, U, b):\n"
    "    return torch.tanh(x @ W.T + h_prev @ U.T + b)\n",
    "forget_gate": "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
    "    return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f)\n",
    "candidate": "def candidate(x, h_prev, W_g, U_g, b_g):\n"
    "    return torch.tanh(x @ W_g.T + h_prev @ U_g.T + b_g)\n",
    "cell_update": "def cell_update(c_prev, f, i, g):\n    return f * c_prev + i * g\n",
    "lstm_step": "def lstm_step(x, h_prev, c_prev, cell):\n"
    "    f = forget_gate(x, h_prev, cell.f.W, cell.f.U, cell.f.b)\n"
    "    i = input_gate(x, h_prev, cell.i.W, cell.i.U, cell.i.b)\n"
    "    g = candidate(x, h_prev, cell.g.W, cell.g.U, cell.g.b)\n"
    "    o = output_gate(x, h_prev, cell.o.W, cell.o.U, cell.o.b)\n"
    "    c = cell_update(c_prev, f, i, g)\n"
    "    h = o * torch.tanh(c)\n"
    "    return h, c\n",
    "cifg_step": "def cifg_step(x, h_prev, c_prev, cell):\n"
    "    f = torch.sigmoid(x @ cell.f.W.T + h_prev @ cell.f.U.T + cell.f.b)\n"
    "    i = 1 - f\n"
    "    g = torch.tanh(x @ cell.g.W.T + h_prev @ cell.g.U.T + cell.g.b)\n"
    "    c = f * c_prev + i * g\n"
    "    o = torch.sigmoid(x @ cell.o.W.T + h_prev @ cell.o.U.T + cell.o.b)\n"
    "    h = o * torch.tanh(c)\n"
    "    return h, c\n",
    "gru_step": "def gru_step(x, h_prev, cell):\n"
    "    r = torch.sigmoid(x @ cell.r.W.T + h_prev @ cell.r.U.T + cell.r.b)\n"
    "    z = torch.sigmoid(x @ cell.z.W.T + h_prev @ cell.z.U.T + cell.z.b)\n"
    "    n = torch.tanh(x @ cell.n.W.T + cell.n.b + r * (h_prev @ cell.n.U.T + cell.b_hn))\n"
    "    h = (1 - z) * n + z * h_prev\n"
    "    return h\n",
    "temperature_softmax": "def temperature_softmax(logits, temperature):\n"
    "    z = logits / temperature\n"
    "    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)\n"
    "    s = e.sum(dim=-1, keepdim=True)\n"
    "    return e / s\n",
    "slstm_step": "def slstm_step(i_, f_, z_, o_, c_prev, n_prev, m_prev):\n"
    "    log_f = torch.nn.functional.logsigmoid(f_)\n"
    "    m = torch.maximum(i_, m_prev + log_f)\n"
    "    i = torch.exp(i_ - m)\n"
    "    f = torch.exp(m_prev + log_f - m)\n"
    "    c = f * c_prev + i * torch.tanh(z_)\n"
    "    n = f * n_prev + i\n"
    "    h = torch.sigmoid(o_) * c / n\n"
    "    return h, c, n, m\n",
    "attention_context": "def attention_context(query, keys, values, mask):\n"
    "    e = query @ keys.transpose(1, 2)\n"
    '    e = e.masked_fill(~mask[:, None, :], float("-inf"))\n'
    "    alpha = torch.softmax(e, dim=-1)\n"
    "    context = alpha @ values\n"
    "    return context, alpha\n",
    "rnn_step_backward": "def rnn_step_backward(dh, cache, cell):\n"
    "    dz = dh * (1 - cache.h**2)\n"
    "    return dz @ cell.W, dz @ cell.U, (dz.T @ cache.x, dz.T @ cache.h_prev, dz.sum(0))\n",
    "lstm_step_backward": "def lstm_step_backward(dh, dc, cache, cell):\n"
    "    x, h_prev, c_prev, f, i, g, o, c = cache\n"
    "    do = dh * torch.tanh(c)\n"
    "    dc = dc + dh * o * (1 - torch.tanh(c) ** 2)\n"
    "    df, di, dg, dc_prev = dc * c_prev, dc * g, dc * i, dc * f\n"
    "    dz = dict(f=df * f * (1 - f), i=di * i * (1 - i), g=dg * (1 - g**2), o=do * o * (1 - o))\n"
    "    dx = sum(dz[k] @ getattr(cell, k).W for k in 'figo')\n"
    "    dh_prev = sum(dz[k] @ getattr(cell, k).U for k in 'figo')\n"
    "    grads = {k: (dz[k].T @ x, dz[k].T @ h_prev, dz[k].sum(0)) for k in 'figo'}\n"
    "    return dx, dh_prev, dc_prev, (grads['f'], grads['i'], grads['g'], grads['o'])\n",
}
CHECK = {
    "rnn_step": checks.check_rnn_step,
    "forget_gate": checks.check_forget_gate,
    "candidate": checks.check_candidate,
    "cell_update": checks.check_cell_update,
    "lstm_step": checks.check_lstm_step,
    "cifg_step": checks.check_cifg_step,
    "gru_step": checks.check_gru_step,
    "temperature_softmax": checks.check_temperature_softmax,
    "slstm_step": checks.check_slstm_step,
    "attention_context": checks.check_attention_context,
    "rnn_step_backward": checks.check_rnn_step_backward,
    "lstm_step_backward": checks.check_lstm_step_backward,
}
TOKENS = [
    ("torch.sigmoid",
     ["torch.tanh", "torch.relu", "", "torch.sigmoid(torch.sigmoid", "1 - torch.sigmoid"]),
    ("torch.tanh", ["torch.sigmoid", "torch.relu", "", "torch.tanh(torch.tanh", "-torch.tanh"]),
    (".T", ["", ".t", ".t()"]),
    (" + ", [" - ", " * ", " @ "]),
    (" * ", [" @ ", " + "]),
    ("1 - ", ["1 + ", "", "-"]),
    ("@", ["*"]),
]  # fmt: skip
NAMES = ["x", "h_prev", "c_prev", "f", "i", "g", "o", "c", "h", "r", "z", "n", "W", "U", "b"]
# slips only one exercise can make: (token, replacements) and the names it swaps
EXTRA_TOKENS = {
    "attention_context": [
        ("dim=-1", ["dim=1", "dim=0", "dim=-2", "dim=2"]),
        ("torch.softmax", ["torch.sigmoid", "torch.log_softmax", "torch.exp"]),
        ('float("-inf")', ["0.0", "-1e9", 'float("inf")', "-100.0", "-1.0"]),
        ("~mask", ["mask", "1 - mask", "-mask"]),
        ("[:, None, :]", ["", "[:, :, None]", "[None, :, :]"]),
        ("keys.transpose(1, 2)", ["keys", "keys.transpose(0, 1)", "keys.mT",
                                  "keys.transpose(1, 2) / query.shape[-1] ** 0.5"]),
        ("alpha @ values", ["values @ alpha", "alpha @ values / values.shape[1]",
                            "(alpha[..., None] * values[:, None]).mean(2)"]),
    ],
}  # fmt: skip
EXTRA_NAMES = {"attention_context": ["query", "keys", "values", "mask", "e", "alpha", "context"]}
RETURNS = [
    ".detach()", ".round(decimals=4)", ".float().double()", ".T", ".clone().numpy()",
    ".data", ".sum(dim=1, keepdim=True)",
]  # fmt: skip


def mutants(source: str, tokens=(), names=()) -> set[str]:
    """Every single-slip version of ``source``; ``tokens`` and ``names`` add to the common ones."""
    body_start = source.index("\n") + 1
    head, body = source[:body_start], source[body_start:]
    out = set()
    for token, replacements in [*TOKENS, *tokens]:
        for match in re.finditer(re.escape(token), body):
            for new in replacements:
                mutated = body[: match.start()] + new + body[match.end() :]
                if new.endswith("(torch.sigmoid") or new.endswith("(torch.tanh"):
                    line_end = body.index("\n", match.end())
                    mutated = body[: match.start()] + new + body[match.end() : line_end] + ")"
                    mutated += body[line_end:]
                out.add(head + mutated)
    for name, other in itertools.permutations([*NAMES, *names], 2):
        for match in re.finditer(rf"(?<![\w.]){re.escape(name)}(?![\w])", body):
            out.add(head + body[: match.start()] + other + body[match.end() :])
    for gate, other in itertools.permutations("figorzn", 2):
        out.add(head + body.replace(f"cell.{gate}.", f"cell.{other}.", 1))
    for term in re.finditer(r" \+ [\w.@ ]+?(?=( \+|\)|\n))", body):
        out.add(head + body[: term.start()] + body[term.end() :])
    last = body.rstrip().splitlines()[-1]
    value = last.strip()[len("return ") :]
    for suffix in RETURNS:
        wrapped = ", ".join(f"({v.strip()}){suffix}" for v in value.split(","))
        out.add(head + body.replace(last, f"    return {wrapped}"))
    if "," in value:
        out.add(head + body.replace(last, f"    return {', '.join(reversed(value.split(', ')))}"))
    out.add(
        head + "    with torch.no_grad():\n" + "".join("    " + ln for ln in body.splitlines(True))
    )
    out.discard(source)
    return out


def compile_function(source: str, name: str, helpers: str = HELPERS):
    scope = {"torch": torch, "np": np}
    exec(helpers, scope)  # the earlier exercises, right
    exec(source, scope)
    return scope[name]


def named(message: str) -> bool:
    generic = (
        DEFAULT_HINT,
        ATTENTION_DEFAULT_HINT,
        SLSTM_DEFAULT_HINT,
        TEMPERATURE_DEFAULT_HINT,
        UPDATE_DEFAULT_HINT,
    )
    return "right shape but wrong values" not in message and not any(h in message for h in generic)


def equivalent(check, fn) -> bool:
    """A mutant that is still right (``b + x`` for ``x + b``) passes, and must."""
    try:
        check(fn, quiet=True)
        return True
    except CheckFailed:
        return False


@pytest.mark.parametrize("exercise", list(RIGHT))
def test_slips_fail_with_a_sentence_that_names_them(exercise):
    check = CHECK[exercise]
    check(compile_function(RIGHT[exercise], exercise), quiet=True)  # the right answer passes
    total, unnamed = 0, []
    extra = EXTRA_TOKENS.get(exercise, []), EXTRA_NAMES.get(exercise, [])
    for source in sorted(mutants(RIGHT[exercise], *extra)):
        try:
            fn = compile_function(source, exercise)
        except SyntaxError:  # a slip no student can submit (a reversed tuple of tuples)
            continue
        try:
            check(fn, quiet=True)
        except CheckFailed as failure:
            message = str(failure)
            assert "\n" not in message and message.endswith("."), message
            total += 1
            if not named(message):
                unnamed.append((source, message))
            continue
        # passed: must be a truly equivalent rewrite, right on fresh seeds as well
        assert all(equivalent(check, fn) for _ in range(1)), source
        for seed in (3, 4):
            check(fn, seed=seed, quiet=True)
    share = 1 - len(unnamed) / total
    report = "\n".join(f"{m}\n{s}" for s, m in unnamed[:15])
    assert share >= 0.9, f"{exercise}: {share:.0%} of {total} slips named\n{report}"


def test_a_wrong_helper_is_named_in_the_step_check():
    wrong_o = HELPERS.replace(
        "torch.sigmoid(x @ W_o.T + h_prev @ U_o.T + b_o)",
        "torch.sigmoid(x @ W_o.T + h_prev @ U_o.T)",
    )
    fn = compile_function(RIGHT["lstm_step"], "lstm_step", helpers=wrong_o)
    with pytest.raises(CheckFailed, match=r"^lstm_step calls your output_gate, which is wrong: "
                       r"the bias b_o is missing"):  # fmt: skip
        checks.check_lstm_step(fn)


def test_state_kept_between_calls_is_named():
    cache = {}

    def cached(x, h_prev, W, U, b):
        key = (x.shape, W.shape)
        if key not in cache:
            cache[key] = torch.tanh(x @ W.T + h_prev @ U.T + b)
        return cache[key]

    with pytest.raises(CheckFailed, match="keeps something between calls"):
        checks.check_rnn_step(cached)
    calls = [0]

    def counting(x, h_prev, W, U, b):
        calls[0] += 1
        return torch.tanh(x @ W.T + h_prev @ U.T + b * (calls[0] > 2))

    with pytest.raises(CheckFailed, match=r"keeps something between calls|bias b is missing"):
        checks.check_rnn_step(counting)


def test_shape_sniffing_code_is_caught():
    def sniffing(x, h_prev, W, U, b):
        if x.shape[0] == x.shape[1]:  # B == D: the student "fixes" an orientation
            x = x.T
        return torch.tanh(x @ W.T + h_prev @ U.T + b)

    with pytest.raises(CheckFailed):
        checks.check_rnn_step(sniffing)


@pytest.mark.parametrize(
    "shortcut", ["cell(x, (h_prev, c_prev))", "cell.step(x, (h_prev, c_prev))"]
)
def test_the_cells_own_step_is_refused(shortcut):
    fn = compile_function(
        f"def lstm_step(x, h_prev, c_prev, cell):\n    return tuple({shortcut})[:2]\n", "lstm_step"
    )
    with pytest.raises(CheckFailed, match="which computes the answer for you"):
        checks.check_lstm_step(fn)


def test_gate_modules_are_refused_where_the_task_forbids_them():
    fn = compile_function(
        RIGHT["cifg_step"].replace(
            "torch.sigmoid(x @ cell.f.W.T + h_prev @ cell.f.U.T + cell.f.b)", "cell.f(x, h_prev)"
        ),
        "cifg_step",
    )
    with pytest.raises(CheckFailed, match=r"cifg_step calls the gate module cell\.f\(\.\.\.\)"):
        checks.check_cifg_step(fn)


def test_changing_the_cells_weights_in_place_is_named():
    def scaling(x, h_prev, c_prev, cell):
        cell.f.W.data.mul_(1.01)  # leaves the reference's weights changed too
        return compile_function(RIGHT["lstm_step"], "lstm_step")(x, h_prev, c_prev, cell)

    with pytest.raises(CheckFailed, match="changed the cell's weights in place"):
        checks.check_lstm_step(scaling)


TEMPERATURE_SLIPS = [
    "    return torch.softmax(logits * temperature, dim=-1)\n",
    "    return torch.softmax(logits, dim=-1)\n",
    "    return torch.softmax(logits, dim=-1) / temperature\n",
    "    return torch.softmax(logits, dim=-1) ** (1 / temperature)\n",
    "    return torch.softmax(logits / temperature, dim=0)\n",
    "    return torch.log_softmax(logits / temperature, dim=-1)\n",
    "    return torch.sigmoid(logits / temperature)\n",
    "    e = torch.exp(logits / temperature)\n    return e / e.sum(dim=-1, keepdim=True)\n",
    "    z = logits / temperature\n    e = torch.exp(z - z.max(dim=-1).values)\n"
    "    return e / e.sum(dim=-1, keepdim=True)\n",
    "    z = logits / temperature\n    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)\n"
    "    return e / e.sum(dim=-1)\n",
    "    z = logits / temperature\n    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)\n"
    "    return e\n",
    "    z = logits / temperature\n    e = torch.exp(z - z.max(dim=-1, keepdim=True))\n"
    "    return e / e.sum(dim=-1, keepdim=True)\n",
    "    z = logits / temperature\n    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)\n"
    "    return e / e.sum()\n",
    "    logits /= temperature\n    return torch.softmax(logits, dim=-1)\n",
    "    return torch.softmax(logits / temperature, dim=-1).numpy()\n",
    "    return torch.softmax(logits.float() / temperature, dim=-1)\n",
]


@pytest.mark.parametrize("body", TEMPERATURE_SLIPS)
def test_temperature_slips_are_named(body):
    fn = compile_function("def temperature_softmax(logits, temperature):\n" + body,
                          "temperature_softmax")  # fmt: skip
    with pytest.raises(CheckFailed) as failure:
        checks.check_temperature_softmax(fn, quiet=True)
    message = str(failure.value)
    assert "\n" not in message and message.endswith(".") and named(message), message


@pytest.mark.parametrize(
    "body",
    [
        "return tuple(DotAttention()(query, keys, mask))",
        "c = F.scaled_dot_product_attention(query, keys, values, mask[:, None, :], scale=1.0)\n"
        "    return c, None",
    ],
)
def test_the_packages_and_torchs_attention_are_refused(body):
    from torch.nn import functional as F

    from lstm_tutorial.attention import DotAttention

    scope = {"torch": torch, "F": F, "DotAttention": DotAttention}
    exec(f"def attention_context(query, keys, values, mask):\n    {body}\n", scope)
    with pytest.raises(CheckFailed, match="which computes the answer for you"):
        checks.check_attention_context(scope["attention_context"])


def _slstm_source(log_f: str = "torch.nn.functional.logsigmoid(f_)", ret: str = "h, c, n, m"):
    return (
        RIGHT["slstm_step"]
        .replace("log_f = torch.nn.functional.logsigmoid(f_)", f"log_f = {log_f}")
        .replace("return h, c, n, m", f"return {ret}")
    )


@pytest.mark.parametrize(
    ("source", "says"),
    [
        (_slstm_source(log_f="f_"), "not f̃ itself"),
        (_slstm_source(log_f="torch.sigmoid(f_)"), "not σ(f̃)"),
        (_slstm_source(log_f="torch.log(torch.sigmoid(-f_))"), "not log(1 − σ(f̃))"),
        (_slstm_source(ret="h, c, m, n"), "n before m"),
    ],
)
def test_slstm_slips_in_log_f_and_the_return_order_are_named(source, says):
    with pytest.raises(CheckFailed, match=re.escape(says)):
        checks.check_slstm_step(compile_function(source, "slstm_step"), quiet=True)
