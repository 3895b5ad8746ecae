"""lstm_tutorial.checks: right answers pass, typical mistakes fail with the sentence that names
them, and no submission, however broken, escapes as a traceback."""

import pytest
import torch
from parity import assert_close

from lstm_tutorial import backward, checks
from lstm_tutorial.checks import CheckFailed

σ, tanh = torch.sigmoid, torch.tanh


# ---- right answers, written the way a student would


def rnn_step(x, h_prev, W, U, b):
    return tanh(x @ W.T + h_prev @ U.T + b)


def forget_gate(x, h_prev, W_f, U_f, b_f):
    return σ(x @ W_f.T + h_prev @ U_f.T + b_f)


def candidate(x, h_prev, W_g, U_g, b_g):
    return tanh(x @ W_g.T + h_prev @ U_g.T + b_g)


def cell_update(c_prev, f, i, g):
    return f * c_prev + i * g


def layer(gate, x, h_prev, act=None):
    """A gate computed from its weights, as the task asks (not by calling the gate module)."""
    act = act or (σ if gate.activation == "sigmoid" else tanh)
    return act(x @ gate.W.T + h_prev @ gate.U.T + gate.b)


def lstm_step(x, h_prev, c_prev, cell):
    f, i = layer(cell.f, x, h_prev), layer(cell.i, x, h_prev)
    g, o = layer(cell.g, x, h_prev), layer(cell.o, x, h_prev)
    c = f * c_prev + i * g
    return o * tanh(c), c


def lstm_step_by_torch(x, h_prev, c_prev, cell):
    """A right answer that borrows torch.nn.LSTMCell: proves the reference equals torch."""
    from lstm_tutorial import to_torch

    h, c = to_torch(cell)(x, (h_prev, c_prev))
    return h, c


def cifg_step(x, h_prev, c_prev, cell):
    f, g, o = layer(cell.f, x, h_prev), layer(cell.g, x, h_prev), layer(cell.o, x, h_prev)
    c = f * c_prev + (1 - f) * g
    return o * tanh(c), c


def gru_step(x, h_prev, cell):
    r, z = cell.r(x, h_prev), cell.z(x, h_prev)
    n = tanh(x @ cell.n.W.T + cell.n.b + r * (h_prev @ cell.n.U.T + cell.b_hn))
    return (1 - z) * n + z * h_prev


def gru_step_by_torch(x, h_prev, cell):
    from lstm_tutorial import to_torch

    return to_torch(cell)(x, h_prev)


RIGHT = [
    (checks.check_rnn_step, rnn_step),
    (checks.check_forget_gate, forget_gate),
    (checks.check_input_gate, forget_gate),
    (checks.check_output_gate, forget_gate),
    (checks.check_candidate, candidate),
    (checks.check_cell_update, cell_update),
    (checks.check_lstm_step, lstm_step),
    (checks.check_cifg_step, cifg_step),
    (checks.check_gru_step, gru_step),
    (checks.check_temperature_softmax, lambda z, t: torch.softmax(z / t, dim=-1)),
]


@pytest.mark.parametrize(("check", "solution"), RIGHT, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_right_answers_pass(check, solution, seed, capsys):
    check(solution, seed=seed)
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and out.count("\n") == 1


def test_checks_leave_the_global_random_state_alone():
    state = torch.get_rng_state()
    checks.check_lstm_step(lstm_step)
    assert torch.equal(state, torch.get_rng_state())


def test_a_check_failure_is_an_assertion_error():
    """nbgrader counts a grade cell as failed when it ends with any error output."""
    assert issubclass(CheckFailed, AssertionError)


# ---- typical mistakes and the sentence each must get


def gate(act=σ, W_T=True, U_T=True, swap=False, b=True):
    def wrong(x, h_prev, W, U, b_):
        W, U = (U, W) if swap else (W, U)
        z = x @ (W.T if W_T else W) + h_prev @ (U.T if U_T else U)
        return act(z + b_ if b else z)

    return wrong


def raises(error):
    def wrong(*args):
        raise error

    return wrong


def lstm(f="f", i="i", g="g", o="o", update=None, out=None, g_act=None):
    """lstm_step with one piece wrong: gate sources, the c line or the h line."""

    def wrong(x, h_prev, c_prev, cell):
        F, I = layer(getattr(cell, f), x, h_prev), layer(getattr(cell, i), x, h_prev)
        G, O = layer(getattr(cell, g), x, h_prev), layer(getattr(cell, o), x, h_prev)
        if g_act is not None:
            G = g_act(x @ cell.g.W.T + h_prev @ cell.g.U.T + cell.g.b)
        c = update(F, I, G, c_prev) if update else F * c_prev + I * G
        return (out(O, c, c_prev) if out else O * tanh(c)), c

    return wrong


def cifg(update):
    def wrong(x, h_prev, c_prev, cell):
        f, g, o = (layer(getattr(cell, k), x, h_prev) for k in "fgo")
        c = update(f, g, c_prev)
        return o * tanh(c), c

    return wrong


def gru(n=None, blend=None, r="r", z="z"):
    def wrong(x, h_prev, cell):
        R, Z = getattr(cell, r)(x, h_prev), getattr(cell, z)(x, h_prev)
        a, u = x @ cell.n.W.T + cell.n.b, h_prev @ cell.n.U.T + cell.b_hn
        N = n(x, h_prev, cell, R) if n else tanh(a + R * u)
        return blend(Z, N, h_prev) if blend else (1 - Z) * N + Z * h_prev

    return wrong


def cho(x, h_prev, cell, r):
    return cell.n(x, r * h_prev)


def o_reads_c_prev(x, h_prev, c_prev, cell):
    c = lstm()(x, h_prev, c_prev, cell)[1]
    o = σ(x @ cell.o.W.T + c_prev @ cell.o.U.T + cell.o.b)  # c_prev where h_prev belongs
    return o * tanh(c), c


def blend_reads_r_h(x, h_prev, cell):
    r, z = cell.r(x, h_prev), cell.z(x, h_prev)
    n = tanh(x @ cell.n.W.T + cell.n.b + r * (h_prev @ cell.n.U.T + cell.b_hn))
    return (1 - z) * n + z * (r * h_prev)  # r ⊙ h_prev where h_prev belongs


def returns_none(*args):
    return None


def in_place(c_prev, f, i, g):
    c_prev *= f
    return c_prev + i * g


c = checks
WRONG = [
    # a gate's layer
    (c.check_forget_gate, gate(act=tanh), "f uses tanh instead of σ"),
    (c.check_forget_gate, gate(act=lambda z: z), "f is missing the σ"),
    (c.check_forget_gate, gate(b=False), "the bias b_f is missing"),
    (c.check_forget_gate, gate(swap=True), "W_f and U_f are swapped"),
    (c.check_forget_gate, gate(W_T=False), "forgot to transpose W_f"),
    (c.check_forget_gate, gate(U_T=False), "forgot to transpose U_f"),
    (
        c.check_forget_gate,
        lambda x, h, W, U, b: σ(W @ x.T + U @ h.T + b[:, None]),
        "got (4, 3)): the result is transposed, one example per column",
    ),
    (c.check_forget_gate, lambda x, h, W, U, b: σ(x @ W.T + b), "U_f h_prev is missing"),
    (c.check_forget_gate, lambda x, h, W, U, b: 1 - σ(x @ W.T + h @ U.T + b), "1 − σ"),
    (c.check_input_gate, lambda x, h, W, U, b: σ(x @ W.T + h @ U.T) + b, "added after the σ"),
    (c.check_output_gate, gate(act=torch.relu), "o uses ReLU"),
    (c.check_candidate, gate(act=σ), "C̃ uses σ instead of tanh"),
    (c.check_rnn_step, gate(act=σ), "h uses σ instead of tanh"),
    (c.check_rnn_step, gate(act=tanh, swap=True), "W and U are swapped"),
    # the cell update
    (c.check_cell_update, lambda c, f, i, g: c + i * g, "the cell state was not multiplied by f"),
    (c.check_cell_update, lambda c, f, i, g: f * c + g, "the candidate was not multiplied by i"),
    (c.check_cell_update, lambda c, f, i, g: f * g + i * c, "f and i are swapped"),
    (c.check_cell_update, lambda c, f, i, g: tanh(f * c + i * g), "c must not be squashed"),
    (c.check_cell_update, lambda c, f, i, g: f @ c.T + i * g, "not the matrix product @"),
    (c.check_cell_update, lambda c, f, i, g: f * c * i * g, "added, not multiplied"),
    (c.check_cell_update, in_place, "changed its argument c_prev in place"),
    # the whole LSTM step
    (c.check_lstm_step, lstm(out=lambda o, c, c_prev: o * c), "h uses C_t without tanh"),
    (c.check_lstm_step, lstm(out=lambda o, c, c_prev: o * tanh(c_prev)), "not c_prev"),
    (c.check_lstm_step, lstm(update=lambda f, i, g, c: c + i * g), "not multiplied by f"),
    (c.check_lstm_step, lstm(f="o", o="f"), "the gates are mixed up (you took f from cell.o"),
    (c.check_lstm_step, lstm(g="o", o="g"), "the gates are mixed up (you took g from cell.o"),
    (c.check_lstm_step, lstm(g_act=σ), "In the candidate C̃ (cell.g), C̃ uses σ instead of tanh"),
    (c.check_lstm_step, lstm(i="f"), "the gates are mixed up (you took i from cell.f)"),
    (c.check_lstm_step, lambda x, h, c_, cell: lstm()(x, h, c_, cell)[::-1], "returned (c, h)"),
    (c.check_lstm_step, lambda x, h, c_, cell: cell(x, (h, c_)), "calls cell(...), which computes"),
    (c.check_lstm_step, lambda x, h, c_, cell: lstm()(x, h, c_, cell)[0], "must return the pair"),
    (c.check_lstm_step, lambda x, h, c_, cell: lstm()(x, 0 * h, c_, cell), "ignore h_prev"),
    # coupled gates
    (c.check_cifg_step, cifg(lambda f, g, c: (1 - f) * c + f * g), "the coupling is reversed"),
    (c.check_cifg_step, cifg(lambda f, g, c: f * c + f * g), "i must be 1 − f, not f"),
    (c.check_cifg_step, cifg(lambda f, g, c: f * c + g), "not multiplied by i = 1 − f"),
    (c.check_cifg_step, lstm(), "the coupled cell has no input gate"),
    # the GRU
    (c.check_gru_step, gru(blend=lambda z, n, h: z * n + (1 - z) * h), "z and 1 − z are swapped"),
    (c.check_gru_step, gru(r="z", z="r"), "r and z are swapped"),
    (c.check_gru_step, gru(n=cho), "Cho et al. (2014)"),
    (c.check_gru_step, gru(n=lambda x, h, cell, r: cell.n(x, h)), "ignores r and b_hn"),
    (c.check_gru_step, lambda x, h, cell: cell(x, h), "calls cell(...), which computes"),
    # more mistakes, found by working through the student notebooks as a student (issue 9)
    (c.check_rnn_step, lambda x, h, W, U, b: tanh(x @ W.T + h @ U.T + 2 * b), "added twice"),
    (c.check_forget_gate, lambda x, h, W, U, b: σ(x @ W.T + b) + h @ U.T, "U_f h_prev is added"),
    (c.check_input_gate, lambda x, h, W, U, b: σ(h @ U.T + b) + x @ W.T, "W_i x is added after"),
    (
        c.check_output_gate,
        lambda x, h, W, U, b: torch.softmax(x @ W.T + h @ U.T + b, dim=1),
        "o uses softmax",
    ),
    (c.check_candidate, lambda x, h, W, U, b: 2 * σ(x @ W.T + h @ U.T + b) - 1, "tanh(z/2)"),
    (c.check_rnn_step, gate(act=torch.nn.functional.hardtanh), "piecewise-linear (hard) tanh"),
    (
        c.check_forget_gate,
        lambda *a: gate()(*a).numpy(),
        "got a numpy ndarray: compute with torch",
    ),
    (c.check_candidate, lambda *a: (gate(act=tanh)(*a),), "must return g alone"),
    (c.check_cell_update, lambda c, f, i, g: (f * c + i * g, c), "got a tuple of 2"),
    (c.check_cell_update, lambda c, f, i, g: torch.cat([f * c, i * g], 1), "torch.cat put two"),
    (c.check_cell_update, lambda c, f, i, g: f * c + (1 - i) * g, "c uses 1 − i"),
    (c.check_cell_update, lambda c, f, i, g: f * c - i * g, "i ⊙ g is subtracted"),
    (c.check_cell_update, lambda c, f, i, g: f * c + i * g + c, "c_prev is counted twice"),
    (c.check_cell_update, lambda c, f, i, g: f + c + i * g, "f and c_prev are added"),
    (c.check_cell_update, lambda c, f, i, g: σ(f * c + i * g), "c must not be squashed by σ"),
    (c.check_lstm_step, lstm(out=lambda o, c, c_prev: σ(o * tanh(c))), "squashed once more by σ"),
    (c.check_lstm_step, lstm(out=lambda o, c, c_prev: o * σ(c)), "h uses σ(c) instead of tanh"),
    (c.check_lstm_step, lstm(out=lambda o, c, c_prev: o + tanh(c)), "o and tanh(c) are added"),
    (c.check_lstm_step, lstm(out=lambda o, c, c_prev: tanh(o) * c), "applied to o instead of c"),
    (c.check_lstm_step, lstm(g_act=torch.relu), "C̃ uses ReLU instead of tanh"),
    (
        c.check_lstm_step,
        lambda x, h, c_, cell: (lstm()(x, h, c_, cell)[0] + h, lstm()(x, h, c_, cell)[1]),
        "h_prev was added to h",
    ),
    (
        c.check_lstm_step,
        lambda x, h, c_, cell: (lstm()(x, h, c_, cell)[0], tanh(lstm()(x, h, c_, cell)[1])),
        "returned tanh(c) as the cell state",
    ),
    (c.check_lstm_step, lambda x, h, c_, cell: x @ cell.W.T, "the weights live in the cell's"),
    (c.check_lstm_step, o_reads_c_prev, "gate o (cell.o) reads c_prev"),
    (c.check_gru_step, blend_reads_r_h, "h_prev itself; r acts only inside n"),
    (c.check_cifg_step, cifg(lambda f, g, c: f * c + (1 - f)), "the candidate g is missing"),
    (c.check_cifg_step, cifg(lambda f, g, c: f * c - f * g), "i = −f is missing the 1"),
    (
        c.check_cifg_step,
        lambda x, h, c_, cell: (
            lambda f, g, o: (o * tanh(f * c_ + (1 - o) * g), f * c_ + (1 - o) * g)
        )(*(layer(getattr(cell, k), x, h) for k in "fgo")),
        "not 1 − o",
    ),
    (c.check_gru_step, gru(blend=lambda z, n, h: (1 + z) * n + z * h), "(1 + z) should be (1 − z)"),
    (c.check_gru_step, gru(blend=lambda z, n, h: (1 - z) * n + (1 - z) * h), "scaled by z, not"),
    (c.check_gru_step, gru(blend=lambda z, n, h: z * n + z * h), "scaled by 1 − z, not z"),
    (c.check_gru_step, gru(blend=lambda z, n, h: 1 - z * n + z * h), "needs parentheses"),
    (c.check_gru_step, gru(blend=lambda z, n, h: tanh((1 - z) * n + z * h)), "squashed again"),
    (
        c.check_gru_step,
        gru(n=lambda x, h, cell, r: tanh(x @ cell.n.W.T + cell.n.b + r * (h @ cell.n.U.T))),
        "the bias b_hn is missing",
    ),
    (
        c.check_gru_step,
        gru(n=lambda x, h, cell, r: tanh(x @ cell.n.W.T + r * (h @ cell.n.U.T + cell.b_hn))),
        "the bias b_n (cell.n.b) is missing",
    ),
    (
        c.check_gru_step,
        gru(
            n=lambda x, h, cell, r: tanh(
                x @ cell.n.W.T + r * (h @ cell.n.U.T + cell.n.b + cell.b_hn)
            )
        ),
        "b_n belongs outside the reset",
    ),
    (
        c.check_gru_step,
        gru(
            n=lambda x, h, cell, r: tanh(
                x @ cell.n.W.T + cell.b_hn + r * (h @ cell.n.U.T + cell.n.b)
            )
        ),
        "b_n and b_hn are swapped",
    ),
    (
        c.check_gru_step,
        gru(
            n=lambda x, h, cell, r: tanh(
                x @ cell.n.W.T + cell.n.b + r * ((r * h) @ cell.n.U.T + cell.b_hn)
            )
        ),
        "r is applied twice",
    ),
    (
        c.check_gru_step,
        gru(
            n=lambda x, h, cell, r: tanh(
                x @ cell.n.W.T + cell.n.b + (1 - r) * (h @ cell.n.U.T + cell.b_hn)
            )
        ),
        "n uses 1 − r",
    ),
    (c.check_gru_step, lambda x, h, cell: cell.n.b_hn, "b_hn belongs to the cell"),
    (c.check_gru_step, lambda x, h, cell: cell.W, "the weights live in the cell's gates"),
    # broken submissions: never a traceback
    (c.check_forget_gate, raises(NotImplementedError()), "is not written yet"),
    (
        c.check_forget_gate,
        raises(ZeroDivisionError("division by zero")),
        "raised ZeroDivisionError",
    ),
    (c.check_forget_gate, returns_none, "returned None: end it with `return f`"),
    (c.check_lstm_step, returns_none, "returned None: end it with `return h, c`"),
    (c.check_forget_gate, lambda *a: [[0.5]], "must return f as a torch.Tensor"),
    (c.check_forget_gate, lambda *a: gate()(*a).float(), "dtype torch.float32"),
    (c.check_forget_gate, lambda *a: gate()(*a).float().double(), "a step ran in float32"),
    (c.check_forget_gate, lambda *a: gate()(*a) * float("nan"), "NaN"),
    (c.check_forget_gate, lambda x, h: x, "keep the signature given in the task"),
    (c.check_forget_gate, "forget_gate", "expects your function itself"),
    (
        c.check_forget_gate,
        lambda x, h, W, U, b: σ(x @ W.T + h @ U.T + 0.5),
        "does not change when b_f",
    ),
    (
        c.check_rnn_step,
        lambda x, h, W, U, b: tanh(x @ W.T + h @ U.T + b) * 1.01,
        "computes the right sum z = W x + U h_prev + b but then not tanh(z): at z = 1 it gives "
        "0.7692, tanh(1) = 0.7616",
    ),
    (c.check_rnn_step, lambda x, h, W, U, b: tanh(x @ W.T + h @ U.T + b + x[:, :1]), "wrong val"),
]


@pytest.mark.parametrize(("check", "submission", "sentence"), WRONG, ids=[w[2] for w in WRONG])
def test_typical_mistakes_get_their_sentence(check, submission, sentence, capsys):
    with pytest.raises(CheckFailed) as info:
        check(submission)
    message = str(info.value)
    assert sentence in message, message
    assert "\n" not in message and message.endswith(".")
    assert capsys.readouterr().out == ""  # no ✓ for a wrong answer


# ---- check_close, for the notebooks' parity checks


def test_check_close_returns_the_error_and_raises_beyond_tolerance():
    a = torch.randn(3, 4)
    assert checks.check_close(a, a.clone(), "h") == 0.0
    err = checks.check_close(a, a + 1e-13, "h")
    assert 0 < err < 1e-12
    with pytest.raises(CheckFailed, match=r"^h: max abs error 1e-06 exceeds the tolerance"):
        checks.check_close(a, a + 1e-6, "h")
    with pytest.raises(CheckFailed, match=r"shapes differ, ours \(3, 4\) vs theirs \(4, 3\)"):
        checks.check_close(a, a.T, "h")
    with pytest.raises(CheckFailed, match=r"theirs must be a torch\.Tensor, got list"):
        checks.check_close(a, [1.0], "h")


def test_the_references_are_the_package_cells_which_equal_torch():
    """The checks' references are the package's own steps; with copied weights, torch agrees."""
    from lstm_tutorial import GRUCell, LSTMCell, to_torch
    from lstm_tutorial.classroom.checks import gru_step, layer, lstm_step

    g = torch.Generator().manual_seed(5)
    x, h, c_prev = (torch.randn(2, n, generator=g, dtype=torch.float64) for n in (3, 5, 5))
    cell = LSTMCell(3, 5, dtype=torch.float64)
    for ours, theirs in zip(
        lstm_step.reference(x, h, c_prev, cell), to_torch(cell)(x, (h, c_prev))
    ):
        assert_close(ours, theirs)
    cell = GRUCell(3, 5, dtype=torch.float64)
    assert_close(gru_step.reference(x, h, cell), to_torch(cell)(x, h))
    W, U, b = (torch.randn(*s, generator=g, dtype=torch.float64) for s in ((5, 3), (5, 5), (5,)))
    assert_close(layer.reference("σ")(x, h, W, U, b), σ(x @ W.T + h @ U.T + b))


# ---- in IPython: the sentence instead of a traceback, and still an error


def test_ipython_shows_the_sentence_and_records_the_error(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from lstm_tutorial.classroom.checks._ipython import install_ipython_handler

    shell = InteractiveShell.instance()
    try:
        assert install_ipython_handler()
        result = shell.run_cell(
            "from lstm_tutorial import checks\n"
            "checks.check_cell_update(lambda c_prev, f, i, g: c_prev + i * g)"
        )
        out = capsys.readouterr().out
        assert isinstance(result.error_in_exec, CheckFailed)  # the cell fails: zero points
        assert "✗ the cell state was not multiplied by f" in out
        assert "Traceback" not in out and "_run.py" not in out
    finally:
        InteractiveShell.clear_instance()


def test_ipython_names_an_unwritten_exercise_used_by_a_later_cell(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from lstm_tutorial.classroom.checks._ipython import install_ipython_handler

    shell = InteractiveShell.instance()
    try:
        assert install_ipython_handler()
        shell.run_cell(
            "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
            '    raise NotImplementedError("write forget_gate here, then run the check cell below")'
        )
        result = shell.run_cell("f = forget_gate(1, 2, 3, 4, 5)")  # a later cell of the notebook
        out = capsys.readouterr().out
        assert isinstance(result.error_in_exec, NotImplementedError)  # still a failed cell
        assert "✗ forget_gate is not written yet, and this cell uses it: write forget_gate" in out
        assert "Traceback" not in out
        # a later error, while an exercise is still a stub, is said to follow from it
        result = shell.run_cell("hs = []\ntorch_allclose = sum(hs[0])")
        out = capsys.readouterr().out
        assert isinstance(result.error_in_exec, IndexError)
        assert "most likely because forget_gate is not written yet: write it, run its check" in out
        shell.run_cell(
            "def input_gate(x, h_prev, W_i, U_i, b_i):\n"
            '    raise NotImplementedError("write input_gate here, then run the check cell below")'
        )
        shell.run_cell("hs = []\ntorch_allclose = sum(hs[0])")
        out = capsys.readouterr().out
        assert (
            "because forget_gate and input_gate are not written yet: write them, run their" in out
        )
        shell.run_cell("del input_gate")
        # with no stub left, any other error keeps IPython's usual traceback
        shell.run_cell("del forget_gate")
        result = shell.run_cell("raise NotImplementedError('not supported yet')")
        out = capsys.readouterr().out
        assert isinstance(result.error_in_exec, NotImplementedError)
        assert "not supported yet" in out and "✗" not in out
    finally:
        InteractiveShell.clear_instance()


def test_ipython_traces_a_later_error_back_to_a_failed_check(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from lstm_tutorial.classroom.checks._ipython import install_ipython_handler

    shell = InteractiveShell.instance()
    try:
        assert install_ipython_handler()
        shell.run_cell(
            "import torch\nfrom lstm_tutorial import checks\n"
            "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
            "    return torch.tanh(x @ W_f.T + h_prev @ U_f.T + b_f)"
        )
        result = shell.run_cell("checks.check_forget_gate(forget_gate)")
        assert isinstance(result.error_in_exec, CheckFailed)
        result = shell.run_cell(  # a later cell's own claim, after it began a figure
            "import matplotlib.pyplot as plt\nfig = plt.figure()\nerr = 1.0\nassert err < 1e-12"
        )
        out = capsys.readouterr().out
        assert isinstance(result.error_in_exec, AssertionError)  # still a failed cell
        assert not shell.run_cell("plt.get_fignums()").result  # no half-drawn figure is shown
        assert "✗ AssertionError, most likely because forget_gate fails its check: fix it" in out
        assert "Traceback" not in out
        shell.run_cell(  # written again and right: the later error is the cell's own again
            "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
            "    return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f)\n"
            "checks.check_forget_gate(forget_gate)"
        )
        capsys.readouterr()
        shell.run_cell("assert 1 < 0, 'the cell itself'")
        out = capsys.readouterr().out
        assert "the cell itself" in out and "most likely" not in out
        shell.run_cell(  # wrong again, and its check cell skipped: the handler checks it itself
            "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
            "    return torch.relu(x @ W_f.T + h_prev @ U_f.T + b_f)"
        )
        shell.run_cell("assert 1 < 0")
        assert "most likely because forget_gate fails its check" in capsys.readouterr().out
    finally:
        InteractiveShell.clear_instance()


def test_a_global_cell_instead_of_the_argument_is_named():
    from lstm_tutorial import LSTMCell

    global_cell = LSTMCell(4, 4)  # what a notebook might have lying around

    def uses_global(x, h_prev, c_prev, cell):
        return lstm_step(x, h_prev, c_prev, global_cell)

    with pytest.raises(CheckFailed, match="does not change when cell changes, although the eq"):
        checks.check_lstm_step(uses_global)


def test_an_unfinished_helper_is_named():
    def output_gate(x, h_prev, W_o, U_o, b_o):
        raise NotImplementedError("write output_gate here, then run the check cell below")

    def uses_helper(x, h_prev, c_prev, cell):
        c = lstm_step(x, h_prev, c_prev, cell)[1]
        o = output_gate(x, h_prev, cell.o.W, cell.o.U, cell.o.b)
        return o * tanh(c), c

    with pytest.raises(
        CheckFailed, match=r"^lstm_step calls output_gate, which is not written yet"
    ):
        checks.check_lstm_step(uses_helper)


# ---- no submission, however broken, escapes as anything but CheckFailed

ALL_CHECKS = [
    checks.check_rnn_step,
    checks.check_forget_gate,
    checks.check_input_gate,
    checks.check_candidate,
    checks.check_output_gate,
    checks.check_cell_update,
    checks.check_lstm_step,
    checks.check_cifg_step,
    checks.check_gru_step,
]
GARBAGE = [
    lambda *a: "h",
    lambda *a: 0.5,
    lambda *a: torch.tensor(0.5),
    lambda *a: torch.zeros(3, 4, 5),
    lambda *a: torch.zeros(3, 4, dtype=torch.int64),
    lambda *a: torch.zeros(3, 4, dtype=torch.complex128),
    lambda *a: (torch.zeros(3, 4),),
    lambda *a: (torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3, 4)),
    lambda *a: (x for x in a),
    lambda *a: [None, None],
    lambda *a: a[0],
    lambda *a: a[-1],
    lambda *a: a,
    lambda *a: {}["h"],
    lambda *a: a[0].foo,
    lambda *a: 1 / 0,
    lambda *a: torch.linalg.inv(torch.zeros(2, 2)),
    lambda: None,
    lambda a, b, c, d, e, f, g: None,
]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_broken_submissions_always_get_a_sentence(check, capsys):
    for submission in GARBAGE:
        with pytest.raises(CheckFailed) as info:
            check(submission)
        message = str(info.value)
        assert message.endswith(".") and "\n" not in message, message
    assert capsys.readouterr().out == ""


HELPER_GATES = """
def forget_gate(x, h_prev, W_f, U_f, b_f):
    return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f)
input_gate = output_gate = forget_gate
def candidate(x, h_prev, W_g, U_g, b_g):
    return torch.tanh(x @ W_g.T + h_prev @ U_g.T + b_g)
def cell_update(c_prev, f, i, g):
    return f * c_prev + i * g
"""
STEP = """
def lstm_step(x, h_prev, c_prev, cell):
    f = forget_gate(x, h_prev, cell.f.W, cell.f.U, cell.f.b)
    i = input_gate(x, h_prev, cell.i.W, cell.i.U, cell.i.b)
    g = candidate(x, h_prev, cell.g.W, cell.g.U, cell.g.b)
    o = output_gate(x, h_prev, cell.o.W, cell.o.U, cell.o.b)
    c = cell_update(c_prev, f, i, g)
    return o * torch.tanh(c), c
"""
BEYOND_THE_FORMULA = [  # (check, source, what the sentence must say)
    ("forget_gate", "h_prev = torch.zeros(2, 4)\ndef forget_gate(x, h, W_f, U_f, b_f):\n"
     "    return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f)",
     "reads h_prev from the notebook, not from its arguments (called x, h, W_f, U_f, b_f)"),
    ("rnn_step", "h = torch.zeros(2, 4)\ndef rnn_step(x, h_prev, W, U, b):\n"
     "    return torch.tanh(x @ W.T + h @ U.T + b)",
     "reads h from the notebook: use only its arguments (x, h_prev, W, U, b)"),
    ("rnn_step", "def rnn_step(x, h_prev, W, U, b):\n"
     "    return torch.tanh(torch.cat([x, h_prev], 1) @ torch.cat([W, U], 0).T + b)",
     "[x, h_prev] joins along dim=1 into (B, D + H)"),
    ("lstm_step", STEP.replace("cell.f.U, cell.f.b", "cell.f.b, cell.f.U"),
     "it was raised inside your forget_gate, which is right on its own: check the arguments"),
    ("lstm_step", STEP.replace("return o * torch.tanh(c), c", "h = o * torch.tanh(c)\n"
     "    return h.reshape(1, -1), c"), "its B·H = 12 values were joined along the wrong"),
    ("attention_context", "def attention_context(query, keys, values, mask):\n"
     "    e = (query @ keys.T).masked_fill(~mask[:, None, :], float('-inf'))\n"
     "    alpha = torch.softmax(e, dim=-1)\n    return alpha @ values, alpha",
     "keys.T reverses all three dimensions of (B, S, H)"),
    ("rnn_step", "_h = None\ndef rnn_step(x, h_prev, W, U, b):\n    global _h\n"
     "    _h = torch.tanh(x @ W.T + (h_prev if _h is None else _h) @ U.T + b)\n    return _h",
     "keeps something between calls in the global _h"),
    ("forget_gate", "B = 2\ndef forget_gate(x, h_prev, W_f, U_f, b_f):\n"
     "    return torch.stack([torch.sigmoid(x[n] @ W_f.T + h_prev[n] @ U_f.T + b_f) "
     "for n in range(B)])", "reads B = 2 from the notebook: take every size"),
    ("candidate", "def candidate(x, h_prev, W_g, U_g, b_g):\n"
     "    g = torch.zeros(x.shape[0], W_g.shape[0])\n    for n in range(x.shape[0] - 1):\n"
     "        g[n] = torch.tanh(x[n] @ W_g.T + h_prev[n] @ U_g.T + b_g)\n    return g",
     "leaves some examples at zero (row 2 of 0 to 2): a loop over the batch misses them"),
    ("temperature_softmax", "def temperature_softmax(logits, temperature):\n"
     "    e = torch.exp(logits / temperature)\n    e = e - e.amax(-1, keepdim=True)\n"
     "    return e / e.sum(-1, keepdim=True)", "the maximum is subtracted after exp"),
]  # fmt: skip


LSTM_BACKWARD = """
def lstm_step_backward(dh, dc, cache, cell):
    x, h_prev, c_prev, f, i, g, o, c = cache
    t = torch.tanh(c)
    do, dc = dh * t, dc + dh * o * (1 - t**2)
    dz = dict(f=dc * c_prev * f * (1 - f), i=dc * g * i * (1 - i), g=dc * i * (1 - g**2),
              o=do * o * (1 - o))
    grads = {k: LayerGrads(dz[k].T @ x, dz[k].T @ h_prev, dz[k].sum(0)) for k in "figo"}
    dx = sum(dz[k] @ getattr(cell, k).W for k in "figo")
    dh_prev = sum(dz[k] @ getattr(cell, k).U for k in "figo")
    return LSTMStepGrads(dx, dh_prev, dc * f, LSTMGrads(**grads))
"""
BEYOND_THE_FORMULA += [
    ("lstm_step_backward",
     LSTM_BACKWARD.replace("dc * c_prev * f * (1 - f)", "dc * c_prev * (1 - f**2)"),
     "dz_f uses tanh′ = 1 − f² where σ′ = f ⊙ (1 − f) belongs"),
    ("lstm_step_backward",
     LSTM_BACKWARD.replace("dc + dh * o * (1 - t**2)", "dc + dh * o * (1 - c**2)"),
     "tanh′ uses c where tanh(c) belongs"),
    ("lstm_step_backward", LSTM_BACKWARD.replace("dz[k].T @ h_prev", "dz[k].T @ c_prev"),
     "each of dU_f, dU_i, dU_g and dU_o multiplies c_prev where h_prev belongs"),
    ("lstm_step_backward", LSTM_BACKWARD.replace("c_prev, f, i, g", "c_prev, i, f, g"),
     "the cache is unpacked in the wrong order"),
]  # fmt: skip
INLINE = STEP.replace("forget_gate(x, h_prev, cell.f.W, cell.f.U, cell.f.b)",
                      "torch.sigmoid(x @ cell.f.W.T + h_prev @ cell.f.U.T + cell.f.b)")  # fmt: skip
BEYOND_THE_FORMULA += [  # slips in two gates (and a line) at once, found gate by gate
    ("lstm_step", INLINE.replace("+ cell.f.b)", ")").replace("output_gate(", "candidate("),
     "lstm_step has two slips: in gate f (cell.f), the bias cell.f.b is missing"),
    ("lstm_step", INLINE.replace("x @ cell.f.W.T", "x @ cell.f.W").replace(
        "return o * torch.tanh(c), c", "return o * torch.tanh(c_prev), c"),
     "cell.f.W acts untransposed"),
    ("lstm_step", STEP.replace("input_gate(x, h_prev,", "input_gate(x, c_prev,").replace(
        "candidate(x", "input_gate(x"), "gate i (cell.i) reads c_prev where h_prev belongs; and"),
    ("gru_step", "def gru_step(x, h_prev, cell):\n"
     "    r = torch.sigmoid(x @ cell.r.W.T + h_prev @ cell.r.U.T)\n"
     "    z = torch.tanh(x @ cell.z.W.T + h_prev @ cell.z.U.T + cell.z.b)\n"
     "    n = torch.tanh(x @ cell.n.W.T + cell.n.b + r * (h_prev @ cell.n.U.T + cell.b_hn))\n"
     "    return (1 - z) * n + z * h_prev",
     "in gate r (cell.r), the bias cell.r.b is missing: add + cell.r.b inside the σ; and in"),
]  # fmt: skip
BEYOND_THE_FORMULA += [  # two slips in one layer, or in one gate inside a step
    ("rnn_step", "def rnn_step(x, h_prev, W, U, b):\n"
     "    return torch.tanh(x @ W.T + h_prev @ U)",
     "rnn_step has two slips: the bias b is missing: add + b inside the tanh; and U is not "
     "transposed (U h_prev is h_prev @ U.T)."),
    ("forget_gate", "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
     "    return torch.sigmoid(x @ W_f.T - h_prev @ U_f.T + 2 * b_f)",
     "the bias b_f is added twice: σ(W_f x + U_f h_prev + b_f) has it once; and the recurrent "
     "term U_f h_prev is subtracted."),
    ("forget_gate", "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
     "    return torch.sigmoid(x @ W_f.T + h_prev @ U_f).clamp(0, 1) + b_f",
     "; and U_f is not transposed"),
    ("lstm_step", INLINE.replace("h_prev @ cell.f.U.T + cell.f.b", "h_prev @ cell.f.U"),
     "lstm_step has two slips: in gate f (cell.f), the bias cell.f.b is missing: add + cell.f.b "
     "inside the σ; and cell.f.U is not transposed (cell.f.U h_prev is h_prev @ cell.f.U.T)."),
    ("lstm_step", INLINE.replace("+ h_prev @ cell.f.U.T + cell.f.b", "+ cell.f.b / 2").replace(
        "output_gate(", "candidate("),
     "lstm_step has three slips: in gate f (cell.f), the bias cell.f.b is halved: add cell.f.b "
     "itself, once; and the recurrent term cell.f.U h_prev is missing; and in gate o (cell.o)"),
]  # fmt: skip

BEYOND_THE_FORMULA += [  # code fitted to one size; slips that hide where the gates are 1
    ("forget_gate", "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
     "    return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f.view(1, 4))",
     "forget_gate is right where H = 4 but not at H = 3: a size is written into the code"),
    ("gru_step", "def gru_step(x, h_prev, cell):\n"
     "    x, h = x[0], h_prev[0]\n"
     "    r = torch.sigmoid(cell.r.W @ x + cell.r.U @ h + cell.r.b)\n"
     "    z = torch.sigmoid(cell.z.W @ x + cell.z.U @ h + cell.z.b)\n"
     "    n = torch.tanh(cell.n.W @ x + cell.n.b + r * (cell.n.U @ h + cell.b_hn))\n"
     "    return ((1 - z) * n + z * h)[None]",
     "gru_step is right when the batch holds one example (B = 1) but not at B = 3"),
    ("rnn_step", "def rnn_step(x, h_prev, W, U, b):\n"
     "    return x @ W.T + torch.tanh(h_prev @ U.T) + b",
     "the tanh wraps only the recurrent term"),
    ("cell_update", "def cell_update(c_prev, f, i, g):\n"
     "    return i * c_prev + f * torch.tanh(g)",
     "cell_update has two slips: f and i are swapped; and g is already a tanh output"),
    ("temperature_softmax", "def temperature_softmax(logits, temperature):\n"
     "    return torch.softmax(logits // temperature, dim=-1)", "z // τ is floor division"),
    ("lstm_step", INLINE.replace("o = output_gate(x, h_prev, cell.o.W, cell.o.U, cell.o.b)",
     "o = torch.tanh(x @ cell.o.W.T + h_prev @ cell.o.U.T + cell.o.b)").replace(
        "c = cell_update(c_prev, f, i, g)", "c = i * c_prev + f * g"),
     "lstm_step has two slips: in gate o (cell.o), o uses tanh instead of σ"),
    ("gru_step", "def gru_step(x, h_prev, cell):\n"
     "    r = torch.sigmoid(x @ cell.r.W.T + h_prev @ cell.r.U.T + cell.r.b)\n"
     "    z = torch.tanh(x @ cell.z.W.T + h_prev @ cell.z.U.T + cell.z.b)\n"
     "    n = torch.tanh(x @ cell.n.W.T + r * (h_prev @ cell.n.U.T + cell.b_hn))\n"
     "    return (1 - z) * n + z * h_prev",
     "in gate z (cell.z), z uses tanh instead of σ: a gate must lie between 0 and 1, so use "
     "torch.sigmoid; and the bias b_n (cell.n.b) is missing"),
    # right at B = 1 only, but a row's slip: its own sentence, not "one example only"
    ("rnn_step", "def rnn_step(x, h_prev, W, U, b):\n"
     "    return torch.stack([torch.tanh(x[n] @ W.T + h_prev[n - 1] @ U.T + b)\n"
     "                        for n in range(len(x))])", "row b is computed from h_prev[b − 1]"),
    # NaN from −∞ times 0 is not "the mask ignored and inverted"; NaN at the pads only is dim=1
    ("attention_context", "def attention_context(query, keys, values, mask):\n"
     "    e = query @ keys.transpose(1, 2) + (~mask[:, None, :]).float() * float('-inf')\n"
     "    alpha = torch.softmax(e, dim=-1)\n    return alpha @ values, alpha",
     "returns NaN at every position, the real ones too"),
    ("attention_context", "def attention_context(query, keys, values, mask):\n"
     "    e = (query @ keys.transpose(1, 2)).masked_fill(~mask[:, None, :], float('-inf'))\n"
     "    w = torch.exp(e - e.amax(-1, keepdim=True))\n    alpha = w / w.sum(1, keepdim=True)\n"
     "    return alpha @ values, alpha", "returns NaN at exactly the padded positions"),
]  # fmt: skip


@pytest.mark.parametrize(("exercise", "source", "expected"), BEYOND_THE_FORMULA)
def test_slips_beyond_the_formula_are_named(exercise, source, expected):
    """A global read in place of an argument, a concatenation along the wrong dimension, a
    helper called with its arguments out of order, a 3-D tensor's .T, a max taken after exp."""
    scope = {"torch": torch, **vars(backward)}
    exec(HELPER_GATES + source, scope)
    with pytest.raises(CheckFailed) as failure:
        getattr(checks, f"check_{exercise}")(scope[exercise], quiet=True)
    assert expected in str(failure.value)
