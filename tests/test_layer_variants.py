"""The LSTM layer passes variant options to its cells; a variant stack equals its cells unrolled."""

import pytest
import torch
from parity import assert_close

from lstm_tutorial import LSTM, to_torch, unroll
from lstm_tutorial.variants import VARIANTS


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_stack_equals_its_cells_unrolled(variant):
    torch.manual_seed(0)
    layer = LSTM(3, 4, num_layers=2, bidirectional=True, variant=variant)
    assert all(cell.variant == variant for cell in layer.cells)
    x = torch.randn(5, 2, 3)
    h0, c0 = torch.randn(4, 2, 4), torch.randn(4, 2, 4)
    out, (h_n, c_n) = layer(x, (h0, c0))

    def run(k, inputs):  # cell k by hand, backwards in time for the reverse direction
        return unroll(layer.cells[k], inputs, (h0[k], c0[k]), reverse=k % 2 == 1)

    (fwd, s0), (bwd, s1) = run(0, x), run(1, x)
    x1 = torch.cat([fwd, bwd], dim=-1)  # (T, B, 2H): layer 1's input
    (top_f, s2), (top_b, s3) = run(2, x1), run(3, x1)
    assert_close(out, torch.cat([top_f, top_b], dim=-1))
    for k, s in enumerate([s0, s1, s2, s3]):
        assert_close(h_n[k], s.h)
        assert_close(c_n[k], s.c)


def test_variant_stack_refuses_conversion_to_torch():
    with pytest.raises(ValueError, match="torch cannot represent"):
        to_torch(LSTM(3, 4, peepholes="ifo"))
