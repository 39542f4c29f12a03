"""The `one_path` mistakes, held to hand-written arithmetic on autograd's values.

`one_path[k]` (k from 1, like the article's outputs o_1, o_2, …): ∂E/∂h_out through
output k only, i.e. ∂E/∂o_in[:, k−1] · W_ho[:, k−1] for every hidden unit, instead of the
sum over outputs. `one_path[own]`: hidden unit j through output j only, possible when
2 ≤ n_hidden ≤ n_out. Checked: which variants exist for an example (at the edge k = n_out
and one past it), their ids, stage, sentence and page, and the student's ∂E/∂h_out,
computed here from autograd's ∂E/∂o_in (test_engine_autograd.reference).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_core import load_example
from backprop_core.mistakes import MAX_OUTPUTS, by_id, for_example

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_engine_autograd import reference  # noqa: E402


def _autograd(ex) -> dict:
    p = ex.params
    return reference(ex.network.hidden_activation, ex.network.output,
                     ex.network.update_biases, p.W_ih, p.b_h, p.W_ho, p.b_o, ex.x, ex.y,
                     ex.learning_rate)


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "relu"])
def test_one_path_variants_exist_up_to_the_last_output(name):
    ex = load_example(ROOT / "examples" / f"{name}.toml")
    n = ex.sizes
    ids = {m.id for m in for_example(ex)}
    for k in range(1, n["n_out"] + 1):
        assert f"one_path[{k}]" in ids
    assert f"one_path[{n['n_out'] + 1}]" not in ids
    assert "one_path[0]" not in ids
    assert ("one_path[own]" in ids) == (2 <= n["n_hidden"] <= n["n_out"])
    assert by_id(f"one_path[{n['n_out'] + 1}]").values(ex) is None
    with pytest.raises(KeyError, match=r"^\"'one_path\[0\]': no such mistake; expected one of "):
        by_id("one_path[0]")


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "mazur-2015"])
def test_one_path_k_follows_output_k_only(name):
    ex = load_example(ROOT / "examples" / f"{name}.toml")
    ref = _autograd(ex)
    for k in range(1, ex.sizes["n_out"] + 1):
        m = by_id(f"one_path[{k}]")
        assert (m.id, m.stage, m.keys) == (f"one_path[{k}]", "backward.dE_dh_out",
                                           ("backward.dE_dh_out",))
        assert f"through output {k} " in m.sentence
        assert "single output" in m.habit.__doc__  # the habit says what it does
        assert (m.page, m.anchor) == ("hidden-layer.md",
                                      "stage-1-the-loss-with-respect-to-the-hidden-output")
        assert m.url == "hidden-layer/#stage-1-the-loss-with-respect-to-the-hidden-output"
        got = m.values(ex)["backward.dE_dh_out"]
        by_hand = ref["dE_do_in"][:, [k - 1]] * ex.params.W_ho[:, k - 1][None, :]
        np.testing.assert_allclose(got, by_hand, rtol=1e-10, atol=1e-14)


def test_one_path_own_pairs_hidden_unit_j_with_output_j():
    ex = load_example(ROOT / "examples" / "default.toml")  # 2 hidden, 2 outputs
    ref = _autograd(ex)
    m = by_id("one_path[own]")
    assert m.id == "one_path[own]" and "of its own number only" in m.sentence
    got = m.values(ex)["backward.dE_dh_out"]
    W = ex.params.W_ho
    by_hand = np.stack([ref["dE_do_in"][:, j] * W[j, j] for j in range(W.shape[0])], axis=1)
    np.testing.assert_allclose(got, by_hand, rtol=1e-10, atol=1e-14)


def test_the_catalogue_lists_one_path_up_to_max_outputs():
    from backprop_core.mistakes import CATALOGUE
    ids = [m.id for m in CATALOGUE]
    assert MAX_OUTPUTS == 8
    assert [i for i in ids if i.startswith("one_path[")] == (
        [f"one_path[{k}]" for k in range(1, 9)] + ["one_path[own]"])


def test_reproduce_without_answers_is_the_correct_step():
    """No answers and no mistakes: the walk is the step itself (autograd's values), and
    one_path[1] changes ∂E/∂h_out as worked by hand above."""
    from backprop_core.check import reproduce
    ex = load_example(ROOT / "examples" / "default.toml")
    ref = _autograd(ex)
    walk = reproduce(ex, {})
    assert walk.exact["loss"] == pytest.approx(ref["loss"], rel=1e-12)
    np.testing.assert_allclose(walk.exact["backward.dE_dh_out"], ref["dE_dh_out"], rtol=1e-10)
    np.testing.assert_allclose(walk.rounded["forward.h_in"], np.round(ref["h_in"], 4), rtol=0,
                               atol=1e-12)
    wrong = reproduce(ex, {}, ("one_path[1]",))
    np.testing.assert_allclose(wrong.exact["backward.dE_dh_out"],
                               ref["dE_do_in"][:, [0]] * ex.params.W_ho[:, 0][None, :],
                               rtol=1e-10)
