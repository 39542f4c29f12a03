"""Published numbers are reproduced.

examples/default.toml holds the 2018 article's start values; the values that article
got right (h_in, h_out, sigmoid′(h_in)) must come out at its 4 decimals.
examples/mazur-2015.toml is Matt Mazur's "A Step by Step Backpropagation Example"
(2015); his printed values must come out at his printed precision. His w1..w4 are
i1→h1, i2→h1, i1→h2, i2→h2 = W_ih[0,0], W_ih[1,0], W_ih[0,1], W_ih[1,1]; w5..w8 are
h1→o1, h2→o1, h1→o2, h2→o2 = W_ho[0,0], W_ho[1,0], W_ho[0,1], W_ho[1,1].
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inprocess import shared_scope  # noqa: E402

from backprop_core import load_example  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def places(value: str) -> int:
    return len(value.split(".")[1])


@pytest.fixture(scope=shared_scope)
def default():
    return load_example(EXAMPLES / "default.toml").step()


@pytest.fixture(scope=shared_scope)
def mazur():
    return load_example(EXAMPLES / "mazur-2015.toml").step()


def test_default_example_hidden_layer(default):
    np.testing.assert_allclose(default.forward.h_in, [[0.67, 0.74]], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(np.round(default.forward.h_out, 4), [[0.6615, 0.6770]])
    np.testing.assert_array_equal(np.round(default.backward.dh_out_dh_in, 4), [[0.2239, 0.2187]])


# (what, value in the engine, Mazur's printed number)
MAZUR = [
    ("net_h1", lambda s: s.forward.h_in[0, 0], "0.3775"),
    ("out_h1", lambda s: s.forward.h_out[0, 0], "0.593269992"),
    ("out_h2", lambda s: s.forward.h_out[0, 1], "0.596884378"),
    ("net_o1", lambda s: s.forward.o_in[0, 0], "1.105905967"),
    ("out_o1", lambda s: s.forward.o_out[0, 0], "0.75136507"),
    ("out_o2", lambda s: s.forward.o_out[0, 1], "0.772928465"),
    ("E_total", lambda s: s.loss, "0.298371109"),
    ("dE_total/dw5", lambda s: s.grads.W_ho[0, 0], "0.082167041"),
    ("dE_total/dw1", lambda s: s.grads.W_ih[0, 0], "0.000438568"),
    ("w5+", lambda s: s.updated.W_ho[0, 0], "0.35891648"),
    ("w6+", lambda s: s.updated.W_ho[1, 0], "0.408666186"),
    ("w7+", lambda s: s.updated.W_ho[0, 1], "0.511301270"),
    ("w8+", lambda s: s.updated.W_ho[1, 1], "0.561370121"),
    ("w1+", lambda s: s.updated.W_ih[0, 0], "0.149780716"),
    ("w2+", lambda s: s.updated.W_ih[1, 0], "0.19956143"),
    ("w3+", lambda s: s.updated.W_ih[0, 1], "0.24975114"),
    ("w4+", lambda s: s.updated.W_ih[1, 1], "0.29950229"),
]


@pytest.mark.parametrize("what, get, printed", MAZUR, ids=[w for w, _, _ in MAZUR])
def test_mazur_2015_at_his_printed_precision(mazur, what, get, printed):
    assert round(float(get(mazur)), places(printed)) == float(printed)


def test_mazur_2015_biases_are_never_updated(mazur):
    np.testing.assert_array_equal(mazur.updated.b_h, [0.35, 0.35])
    np.testing.assert_array_equal(mazur.updated.b_o, [0.60, 0.60])
    assert mazur.loss_after < mazur.loss
