"""The conclusion's account of why changing the activation changes the layer gap.

Recomputed here from the trace alone (numpy, not the engine's `vanishing`): with two
Softmax outputs and one example, δ_o = [−d, d], so the way back through W_ho is
1 / mean_j |W_{h_j o_2} − W_{h_j o_1}| in both runs, and the difference between the
sigmoid's factor and the ReLU run's change is all in the inputs factor,
mean|h_out| / mean|x| (h_in does not depend on the activation).
"""

from __future__ import annotations

import re

import numpy as np
from bs4 import BeautifulSoup

from sitecheck import parse_tokens


def test_the_activation_change_splits_into_the_three_factors(sites):
    tr = sites.trace("default")
    text = BeautifulSoup(sites.page("default", "conclusion"), "html.parser").get_text()
    line = re.search(r"\\\[\s*(\\frac\{[^=]*\\cdot[^=]*\\cdot[^=]*)=\s*([\d.]+)\.\s*\\\]",
                     text)
    assert line, "no factor-by-factor line for the activation change"
    fracs = re.findall(r"\\frac\{([^}]*)\}\{([^}]*)\}", line[1])
    (ins, ins_a), (back, back_a), (act, act_a) = [
        tuple(parse_tokens(p)[0].value for p in f) for f in fracs]

    w = np.asarray(tr["params"]["W_ho"])
    h_in = np.asarray(tr["forward"]["h_in"])
    x = np.asarray(tr["x"])
    back_exact = 1 / np.mean(np.abs(w[:, 1] - w[:, 0]))
    for shown in (back, back_a):
        assert abs(shown - back_exact) < 0.01, (shown, back_exact)
    assert abs(ins - np.mean(np.abs(1 / (1 + np.exp(-h_in)))) / np.mean(np.abs(x))) < 0.01
    assert abs(ins_a - np.mean(np.maximum(0, h_in)) / np.mean(np.abs(x))) < 0.01
    assert act_a == 1
    # the old explanation blamed δ_o, which plays no part
    assert "and $\\delta_o$ differ" not in text and "own h_{out} and" not in text
    assert "does not depend on" in text
