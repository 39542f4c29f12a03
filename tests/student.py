"""A student, for the checker's tests: one backpropagation step worked by hand.

Written independently of `backprop_core.stages` and `backprop_core.mistakes`: element
by element in plain Python floats (math.exp, math.log, loops over examples and units,
the way one works on paper), from the textbook formulas. The student can

- make one or two of the catalogue's classic mistakes (`mistakes=("sign_flip",)`), each
  written here again, in this style, from the issue's one-line description;
- write every value rounded as the page shows it (`decimals=4`) and carry those
  rounded values on, terms of a sum included;
- be handed values (`given={"forward.o_in": ...}`) that replace what they would have
  computed, from which they carry on with the correct formulas (follow-through).

Only `precision.shown` (the site's one rounding rule, tested on its own) is shared with
the code under test. `to_toml` writes an answers file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from backprop_core import load_example, parse_example
from backprop_core.precision import shown, shown_places, small_threshold

ROOT = Path(__file__).resolve().parents[1]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def work(ex, mistakes: tuple[str, ...] = (), given: dict | None = None,
         decimals: int | None = None) -> dict[str, np.ndarray]:
    """Every answerable trace key, as this student writes it."""
    mk = set(mistakes)
    given = given or {}
    x, y = ex.x.tolist(), ex.y.tolist()
    W_ih, b_h = ex.params.W_ih.tolist(), ex.params.b_h.tolist()
    W_ho, b_o = ex.params.W_ho.tolist(), ex.params.b_o.tolist()
    m, n_in, n_h, n_out = len(x), len(x[0]), len(b_h), len(b_o)
    eta = ex.learning_rate * (10.0 if "learning_rate_x10" in mk else 1.0)
    sign = 1.0 if "sign_flip" in mk else -1.0
    act = ex.network.hidden_activation
    softmax = ex.network.output == "softmax_cross_entropy"
    update_b = ex.network.update_biases and "biases_frozen" not in mk
    mm = 1.0 if "no_mean" in mk else float(m)
    out: dict[str, np.ndarray] = {}

    def r(v: float) -> float:
        return shown(v, decimals) if decimals and math.isfinite(v) and v != 0 else v

    def put(key: str, value: Any) -> list:
        arr = np.array(value, dtype=float)
        if decimals:
            arr = np.vectorize(r, otypes=[float])(arr) if arr.ndim else np.array(r(float(arr)))
        if key in given:
            arr = np.array(given[key], dtype=float)
        out[key] = arr
        return arr.tolist()

    def forward_pass(Wi, bh, Wo, bo, keep: bool):
        """h_in, h_out, o_in, o_out, per-example losses and the loss; kept under their
        keys only for the step itself (keep)."""
        save = put if keep else (lambda key, v: np.vectorize(r, otypes=[float])(
            np.array(v, dtype=float)).tolist() if decimals else v)
        h_in = save("forward.h_in", [[sum(x[e][a] * Wi[a][j] for a in range(n_in)) + bh[j]
                                      for j in range(n_h)] for e in range(m)])
        if act == "sigmoid":
            f = _sigmoid
        elif act == "relu":
            f = lambda z: z if z > 0 else 0.0  # noqa: E731
        else:
            f = math.tanh
        h_out = save("forward.h_out", [[f(v) for v in row] for row in h_in])
        if "transposed_weights" in mk:
            W2, b2 = [[Wo[k][j] for k in range(n_out)] for j in range(n_h)], bo
        elif "reused_layer1" in mk:
            W2, b2 = [[Wi[k][j] for k in range(n_out)] for j in range(n_h)], bh
        else:
            W2, b2 = Wo, bo
        o_in = save("forward.o_in", [[sum(h_out[e][j] * W2[j][k] for j in range(n_h)) + b2[k]
                                      for k in range(n_out)] for e in range(m)])
        if softmax:
            o_out = []
            for row in o_in:
                top = max(row)
                exps = [math.exp(v - top) for v in row]
                o_out.append([v / sum(exps) for v in exps])
        else:
            o_out = [[_sigmoid(v) for v in row] for row in o_in]
        o_out = save("forward.o_out", o_out)
        log = math.log10 if "log10_loss" in mk else math.log
        losses = []
        for e in range(m):
            terms = []
            for c in range(n_out):
                o, t = o_out[e][c], y[e][c]
                if not softmax:
                    terms.append(0.5 * (t - o) ** 2)
                    continue
                term = -t * log(o) if t != 0 else 0.0
                if "binary_ce" in mk and t != 1:
                    term -= (1 - t) * log(1 - o)
                terms.append(term)
            losses.append(sum(r(v) for v in terms))
        losses = save("losses", losses)
        return save("loss", sum(losses) / mm), h_in, h_out, o_out

    _, h_in, h_out, o_out = forward_pass(W_ih, b_h, W_ho, b_o, keep=True)

    # Layer 2
    if softmax:
        dE_do_out = [[-1.0 / (mm * o_out[e][c]) if "target_one" in mk
                      else (-y[e][c] / (mm * o_out[e][c]) if y[e][c] != 0 else 0.0)
                      for c in range(n_out)] for e in range(m)]
        J = [[[o_out[e][c] * ((1.0 if c == k else 0.0) - o_out[e][k]) for k in range(n_out)]
              for c in range(n_out)] for e in range(m)]
    else:
        dE_do_out = [[(o_out[e][c] - y[e][c]) / mm for c in range(n_out)] for e in range(m)]
        J = [[[o_out[e][c] * (1 - o_out[e][c]) if c == k else 0.0 for k in range(n_out)]
              for c in range(n_out)] for e in range(m)]
    dE_do_out = put("backward.dE_do_out", dE_do_out)
    J = put("backward.do_out_do_in", J)
    diagonal = "jacobian_diagonal" in mk or not softmax
    d_o = put("backward.dE_do_in", [[
        dE_do_out[e][k] * J[e][k][k] if diagonal
        else sum(dE_do_out[e][c] * J[e][c][k] for c in range(n_out))
        for k in range(n_out)] for e in range(m)])
    g_Wo = put("backward.dE_dW_ho", [[sum(h_out[e][j] * d_o[e][k] for e in range(m))
                                      for k in range(n_out)] for j in range(n_h)])
    g_Wo = put("gradients.W_ho", g_Wo)
    g_bo = put("backward.dE_db_o", [sum(d_o[e][k] for e in range(m)) for k in range(n_out)])
    g_bo = put("gradients.b_o", g_bo)
    new_Wo = put("updated.W_ho", [[W_ho[j][k] + sign * eta * g_Wo[j][k] for k in range(n_out)]
                                  for j in range(n_h)])
    new_bo = put("updated.b_o", [b_o[k] + sign * eta * g_bo[k] if update_b else b_o[k]
                                 for k in range(n_out)])

    # Layer 1
    W_back = new_Wo if "updated_weights" in mk else W_ho
    paths = [m_ for m_ in mk if m_.startswith("one_path[")]
    only = paths[0][len("one_path["):-1] if paths else None

    def through(j: int) -> list[int]:
        if only is None:
            return list(range(n_out))
        return [j] if only == "own" else [int(only) - 1]

    d_hout = put("backward.dE_dh_out", [[sum(d_o[e][k] * W_back[j][k] for k in through(j))
                                         for j in range(n_h)] for e in range(m)])
    if act == "sigmoid":
        z = h_in if "sigmoid_prime_of_input" in mk else h_out
        slope = [[z[e][j] * (1 - z[e][j]) for j in range(n_h)] for e in range(m)]
    elif act == "tanh":
        slope = [[1 - h_out[e][j] ** 2 for j in range(n_h)] for e in range(m)]
    else:
        slope = [[1.0 if h_in[e][j] > 0 else 0.0 for j in range(n_h)] for e in range(m)]
    slope = put("backward.dh_out_dh_in", slope)
    d_h = put("backward.dE_dh_in", [[d_hout[e][j] * slope[e][j] for j in range(n_h)]
                                    for e in range(m)])
    g_Wi = put("backward.dE_dW_ih", [[sum(x[e][a] * d_h[e][j] for e in range(m))
                                      for j in range(n_h)] for a in range(n_in)])
    g_Wi = put("gradients.W_ih", g_Wi)
    g_bh = put("backward.dE_db_h", [sum(d_h[e][j] for e in range(m)) for j in range(n_h)])
    g_bh = put("gradients.b_h", g_bh)
    new_Wi = put("updated.W_ih", [[W_ih[a][j] + sign * eta * g_Wi[a][j] for j in range(n_h)]
                                  for a in range(n_in)])
    new_bh = put("updated.b_h", [b_h[j] + sign * eta * g_bh[j] if update_b else b_h[j]
                                 for j in range(n_h)])

    loss_after, *_ = forward_pass(new_Wi, new_bh, new_Wo, new_bo, keep=False)
    put("loss_after", loss_after)
    return out


def written(value: float, decimals: int | None) -> str:
    """A value as the student writes it: as the page shows it, or in full (all 17
    significant digits, so an exact -0.00048 still carries the places the page asks
    for a small value: its shortest form, -0.00048, would be too few)."""
    if decimals is None:
        return f"{float(value):.16e}"
    if value == 0:
        return "0"
    # as the page writes it: 0.6770, not 0.677 (the student computed 0.676996 …)
    places = shown_places(value, decimals)
    if abs(value) >= small_threshold(decimals):
        places = max(places, decimals)
    return f"{value:.{places}f}"


def answers(values: dict[str, np.ndarray], keys=None, decimals: int | None = None) -> dict:
    """An answers dict (nested like the trace; numbers as strings, as written)."""
    out: dict[str, Any] = {}
    for key in keys if keys is not None else values:
        arr = np.asarray(values[key], dtype=float)
        text = np.vectorize(lambda v: written(v, decimals), otypes=[object])(arr)
        value = text.tolist() if arr.ndim else str(text.item() if hasattr(text, "item") else text)
        section, _, name = key.rpartition(".")
        (out.setdefault(section, {}) if section else out)[name] = value
    return out


def to_toml(answers: dict) -> str:
    """An answers dict (numbers as written strings; other values plain) as TOML text,
    numbers written bare so that their places survive."""
    def value(v: Any) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(value(i) for i in v) + "]"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            try:
                float(v)
                return v
            except ValueError:
                return json.dumps(v)
        return repr(v) if isinstance(v, float) else str(v)

    lines = [f"{k} = {value(v)}" for k, v in answers.items() if not isinstance(v, dict)]
    for section, table in answers.items():
        if isinstance(table, dict):
            lines += ["", f"[{section}]"] + [f"{k} = {value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Examples the tests grade


def example(name: str):
    """One of the project's example files, by name."""
    return load_example(ROOT / "examples" / f"{name}.toml")


def drawn(seed: int, n_in=2, n_hidden=2, n_out=2, m=1, act="sigmoid",
          output="softmax_cross_entropy", lr=0.1):
    """A random example as an example file's [random] table draws it."""
    return parse_example({"learning_rate": lr, "hidden_activation": act, "output": output,
                          "random": {"seed": seed, "n_in": n_in, "n_hidden": n_hidden,
                                     "n_out": n_out, "m": m}})
