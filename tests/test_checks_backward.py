"""The checks of notebook 12's backward exercises: right answers pass, every catalogued mistake
fails with its own sentence, and broken submissions get one sentence instead of a traceback."""

import pytest
import torch

from lstm_tutorial import checks
from lstm_tutorial.backward import (
    LayerGrads,
    LSTMGrads,
    LSTMStepGrads,
    RNNStepGrads,
    lstm_step_backward,
    rnn_step_backward,
)
from lstm_tutorial.checks import CheckFailed
from lstm_tutorial.classroom.checks._lstm_backward_mistakes import LSTM_MISTAKES
from lstm_tutorial.classroom.checks._rnn_backward_mistakes import RNN_MISTAKES

# ---- right answers, written the way a student would (no package backward, no autograd)


def rnn_by_hand(dh, cache, cell):
    dz = dh * (1 - cache.h**2)
    grads = LayerGrads(dz.T @ cache.x, dz.T @ cache.h_prev, dz.sum(0))
    return RNNStepGrads(dz @ cell.W, dz @ cell.U, grads)


def lstm_by_hand(dh, dc, cache, cell):
    x, h_prev, c_prev, f, i, g, o, c = cache
    do = dh * torch.tanh(c)
    dc = dc + dh * o * (1 - torch.tanh(c) ** 2)
    df, di, dg, dc_prev = dc * c_prev, dc * g, dc * i, dc * f
    dz = dict(f=df * f * (1 - f), i=di * i * (1 - i), g=dg * (1 - g**2), o=do * o * (1 - o))
    dx = sum(dz[k] @ getattr(cell, k).W for k in "figo")
    dh_prev = sum(dz[k] @ getattr(cell, k).U for k in "figo")
    grads = {k: (dz[k].T @ x, dz[k].T @ h_prev, dz[k].sum(0)) for k in "figo"}
    return dx, dh_prev, dc_prev, (grads["f"], grads["i"], grads["g"], grads["o"])  # plain tuples


def lstm_by_autograd(dh, dc, cache, cell):
    """A right answer by autograd, independent of lstm_tutorial.backward."""
    with torch.enable_grad():
        cell.requires_grad_(True)
        x, h_prev, c_prev = (t.clone().requires_grad_() for t in cache[:3])
        state, _ = cell.step(x, (h_prev, c_prev))
        ((state.h * dh).sum() + (state.c * dc).sum()).backward()
        grads = [LayerGrads(g.W.grad, g.U.grad, g.b.grad) for g in (cell.f, cell.i, cell.g, cell.o)]
        return LSTMStepGrads(x.grad, h_prev.grad, c_prev.grad, LSTMGrads(*grads))


def test_right_answers_pass(capsys):
    checks.check_rnn_step_backward(rnn_by_hand)
    checks.check_rnn_step_backward(rnn_step_backward)
    checks.check_lstm_step_backward(lstm_by_hand)
    checks.check_lstm_step_backward(lstm_step_backward)
    checks.check_lstm_step_backward(lstm_by_autograd)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and all(line.startswith("✓ ") for line in out)
    assert "on 6 random cases" in out[0]


# ---- every catalogued mistake is named by its own sentence


@pytest.mark.parametrize("k", range(len(RNN_MISTAKES)))
def test_every_rnn_mistake_gets_its_sentence(k):
    mistake = RNN_MISTAKES[k]
    with pytest.raises(CheckFailed) as error:
        checks.check_rnn_step_backward(mistake.fn)
    assert str(error.value) == mistake.message


@pytest.mark.parametrize("k", range(len(LSTM_MISTAKES)))
def test_every_lstm_mistake_gets_its_sentence(k):
    mistake = LSTM_MISTAKES[k]
    with pytest.raises(CheckFailed) as error:
        checks.check_lstm_step_backward(mistake.fn)
    assert str(error.value) == mistake.message


def test_catalogue_sentences_are_distinct():
    for catalogue in (RNN_MISTAKES, LSTM_MISTAKES):
        messages = [m.message for m in catalogue]
        assert len(set(messages)) == len(messages)
    assert len(RNN_MISTAKES) >= 15 and len(LSTM_MISTAKES) >= 20


# ---- broken submissions get one sentence


def fails_with(check, fn, *phrases):
    with pytest.raises(CheckFailed) as error:
        check(fn)
    for phrase in phrases:
        assert phrase in str(error.value), str(error.value)


def test_structure_and_shape_errors_are_named():
    rnn = checks.check_rnn_step_backward

    def stub(dh, cache, cell):
        raise NotImplementedError("write rnn_step_backward here, then run the check cell below")

    fails_with(rnn, stub, "is not written yet")
    fails_with(rnn, lambda dh, cache, cell: None, "returned None", "RNNStepGrads(dx, dh_prev")
    fails_with(rnn, lambda *a: rnn_by_hand(*a)[:2], "must return RNNStepGrads", "got (Tensor,")

    def transposed_dW(dh, cache, cell):
        r = rnn_by_hand(dh, cache, cell)
        return r._replace(params=r.params._replace(W=r.params.W.T.contiguous()))

    # passes the value test at D == H only if right; the transposed one is named there already
    fails_with(rnn, transposed_dW, "dW is transposed")

    def db_unsummed(dh, cache, cell):
        r = rnn_by_hand(dh, cache, cell)
        return r._replace(params=r.params._replace(b=dh * (1 - cache.h**2)))

    fails_with(rnn, db_unsummed, "db with shape (3, 4), expected (H,) = (4,)", "dz.sum(0)")
    fails_with(
        rnn,
        lambda *a: (*(t.float() for t in rnn_by_hand(*a)[:2]), rnn_by_hand(*a)[2]),
        "dx with dtype torch.float32",
    )

    def in_place(dh, cache, cell):
        r = rnn_by_hand(dh, cache, cell)
        dh *= 2
        return r

    fails_with(rnn, in_place, "changed its argument dh in place")

    def by_autograd(dh, cache, cell):
        (cache.h * dh).sum().backward()

    fails_with(rnn, by_autograd, "autograd is off here: write the backward by hand")
    fails_with(rnn, "rnn_step_backward", "expects your function itself")


def test_a_function_that_keeps_results_between_calls_is_named():
    kept = {}

    def remembers(dh, cache, cell):
        return kept.setdefault(tuple(cache.x.shape), rnn_by_hand(dh, cache, cell))

    fails_with(checks.check_rnn_step_backward, remembers, "keeps something between calls")


def test_a_shape_error_inside_gets_a_backward_hint():
    def dW_untransposed(dh, cache, cell):
        dz = dh * (1 - cache.h**2)
        return RNNStepGrads(dz @ cell.W, dz @ cell.U, LayerGrads(dz @ cache.x, None, None))

    fails_with(checks.check_rnn_step_backward, dW_untransposed, "dW = dz.T @ x is (H, B) @ (B, D)")


def test_a_wrong_gradient_is_located_from_which_gradients_are_wrong():
    def wrong_dU_f(dh, dc, cache, cell):
        r = lstm_by_hand(dh, dc, cache, cell)
        f = (r[3][0][0], 1.5 * r[3][0][1], r[3][0][2])
        return (*r[:3], (f, *r[3][1:]))

    fails_with(
        checks.check_lstm_step_backward,
        wrong_dU_f,
        "dz_f is right (dx and dh_prev are), so the fault is in dU_f = dz_f.T @ h_prev.",
    )

    def wrong_dz_o(dh, dc, cache, cell):  # lstm_by_hand with do = 1.5 dh ⊙ tanh(c)
        r = lstm_by_hand(dh, dc, cache, cell)
        dz_o = 0.5 * dh * torch.tanh(cache.c) * cache.o * (1 - cache.o)  # wrong − right
        o = (
            r[3][3][0] + dz_o.T @ cache.x,
            r[3][3][1] + dz_o.T @ cache.h_prev,
            r[3][3][2] + dz_o.sum(0),
        )
        dx, dh_prev = r[0] + dz_o @ cell.o.W, r[1] + dz_o @ cell.o.U
        return (dx, dh_prev, r[2], (*r[3][:3], o))

    fails_with(
        checks.check_lstm_step_backward, wrong_dz_o, "dz_o is wrong: check do = dh ⊙ tanh(c)"
    )


def test_unknown_wrong_values_name_the_wrong_gradients():
    def everything_scaled(dh, dc, cache, cell):
        r = lstm_by_hand(dh, dc, cache, cell)
        return (*(1.5 * t for t in r[:3]), tuple(tuple(1.5 * t for t in lr) for lr in r[3]))

    fails_with(
        checks.check_lstm_step_backward,
        everything_scaled,
        "wrong values for dx, dh_prev, dc_prev, dW_f, dU_f, db_f, dW_i",
        "largest error",
        "follow the chain rule from dh",
    )


def test_a_check_does_not_change_the_global_random_state():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    checks.check_lstm_step_backward(lstm_by_hand)
    assert torch.equal(torch.rand(3), expected)


def i_like(o):
    return 1 - o**2  # a factor no one would write: the split still finds the path


def lstm_with(total=None, sign=1.0):
    """lstm_by_hand with the total dc computed by ``total(dh, dc, o, tanh_c)`` instead, or with
    every gate's dz multiplied by ``sign``."""

    def step(dh, dc, cache, cell):
        x, h_prev, c_prev, f, i, g, o, c = cache
        t = torch.tanh(c)
        do = dh * t
        dc = total(dh, dc, o, t) if total else dc + dh * o * (1 - t**2)
        dz = dict(f=dc * c_prev * f * (1 - f), i=dc * g * i * (1 - i), g=dc * i * (1 - g**2),
                  o=do * o * (1 - o))  # fmt: skip
        dz = {k: sign * v for k, v in dz.items()}
        grads = {k: LayerGrads(dz[k].T @ x, dz[k].T @ h_prev, dz[k].sum(0)) for k in "figo"}
        dx = sum(dz[k] @ getattr(cell, k).W for k in "figo")
        dh_prev = sum(dz[k] @ getattr(cell, k).U for k in "figo")
        return LSTMStepGrads(dx, dh_prev, dc * f, LSTMGrads(**grads))

    return step


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [  # slips outside the catalogue, found by running the step with one upstream at zero
        (lstm_with(lambda dh, dc, o, t: dc * i_like(o) + dh * o * (1 - t**2)),
         "right when the incoming dc (from the next step) is zero"),
        (lstm_with(lambda dh, dc, o, t: 0.5 * dc + dh * o * (1 - t**2)),
         "right when the incoming dc (from the next step) is zero"),
        (lstm_with(lambda dh, dc, o, t: dc + dh * o * o * (1 - t**2)),
         "the slip is in the term that h adds to dc: dh ⊙ o ⊙ (1 − tanh²(c))"),
        # and slips the lines name: the upstream dc scaled by f, tanh′ at h, a sign
        (lstm_with(lambda dh, dc, o, t: dc * (1 - t**2) + dh * o * (1 - t**2)),
         "the upstream dc is multiplied by tanh′(c)"),
        (lstm_with(lambda dh, dc, o, t: dc + dh * o * (1 - (o * t) ** 2)),
         "tanh′ is taken at h = o ⊙ tanh(c)"),
        (lstm_with(sign=-1.0), "has the wrong sign"),
    ],
)  # fmt: skip
def test_a_wrong_total_dc_is_split_into_its_two_paths(wrong, phrase):
    checks.check_lstm_step_backward(lstm_with(), quiet=True)  # the helper itself is right
    fails_with(checks.check_lstm_step_backward, wrong, phrase)


def test_a_sign_slip_in_the_rnn_slope_is_named():
    def minus(dh, cache, cell):
        return rnn_by_hand(-dh, cache, cell)

    fails_with(checks.check_rnn_step_backward, minus, "dz has the wrong sign")
