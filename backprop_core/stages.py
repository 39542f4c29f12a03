"""The step as a student works it on paper: one small formula per answerable trace key.

`network.py` computes the step in one go. A grader needs more: the value of *one* key
computed from *somebody's* earlier values (the student's own, a rounded chain, or a
chain with a classic mistake in it). This module is that: a table `STAGES`, in the
article's order, of every numeric key of `python -m backprop_core trace FILE --json`
with the earlier keys it reads and the formula(s) that give it, and `run`, which walks
the table from the example's inputs.

`run` can

- take a student's answers: an answered element replaces the computed one, so every
  later formula works from the student's own values (follow-through);
- round every value it fills in as the page shows it (`precision.shown`): the rounded
  chain of the precision rule;
- compute with `Habits` other than the correct ones: a classic mistake is a change of
  habit (`mistakes.py`), and two mistakes are two changes.

Formulas reuse the engine's activations and softmax (`network.ACTIVATIONS`,
`log_softmax`, `sigmoid`); with the correct habits and no answers `run` gives the
engine's values (tests/test_mistakes.py holds it to them and to autograd). Each formula
is vectorised over examples and units; nothing here loops over matrix elements. Where
the article shows two correct workings for a key (∂E/∂o_in from the Jacobian product or
as o_out − y; σ′ from h_out or from h_in), the stage lists both, and either counts as
correct working.

Not here: verdicts and output (`check.py`), the catalogue of mistakes (`mistakes.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .example import Example
from .network import ACTIVATIONS, log_softmax, sigmoid
from .precision import shown, small_threshold

__all__ = ["Habits", "CORRECT", "Stage", "STAGES", "KEYS", "TWO_WAYS", "WORKINGS",
           "ROUNDED_WALKS", "GROUPS",
           "Chain", "run", "rounded_walks", "loss_terms",
           "inputs", "where", "shape_of", "round_shown"]

Array = np.ndarray


@dataclass(frozen=True)
class Habits:
    """How a student computes. The defaults are the correct working; a classic mistake
    (`mistakes.py`) changes one or two fields.

    log:          "e" | "10"                  logarithm of the loss
    loss_terms:   "cross_entropy" | "binary"  loss formula on a softmax output
    mean:         average over the m examples (False: summed, `no_mean`)
    target_one:   ∂E/∂o_out = −1/o_out for every output, as if every target were 1
    jacobian:     "full" | "diagonal" | "off_sign"   ∂E/∂o_in through the whole softmax
                  Jacobian, its diagonal only, or with its off-diagonal signs turned
    act_prime_of: "output" | "input"          σ′ as h_out(1 − h_out) or h_in(1 − h_in)
    paths:        None (every output) | k (0-based output) | "own" (hidden j via output j)
    backprop_W_ho: "original" | "updated"     W_ho used to send the gradient to layer 1
    layer2:       "W_ho" | "W_ho_T" | "layer1"  weights and bias of o_in (layer1: W_ihᵀ, b_h)
    rate_factor:  the learning rate is multiplied by this (10: `learning_rate_x10`)
    sign:         −1: w − η·g; +1: w + η·g
    update_biases: False leaves the biases out of the update (when the example updates them)
    negate:       trace keys whose every working the student writes with the wrong sign
    swap_outputs: the outputs o_out in reverse order (two outputs: swapped)
    act_prime_factor: "both" | "h" | "1-h"   σ′ of a sigmoid as h(1 − h), or one factor
    chain_act:    False: ∂E/∂h_in = ∂E/∂h_out, the activation's slope left out
    backprop_transpose: False: ∂E/∂h_out = ∂E/∂o_in · W_ho (not W_hoᵀ)
    grad_x, grad_h: "own" | "other"  the input (hidden output) each weight gradient
                  multiplies: "other" reverses them (two units: the other one)
    update_weights: False leaves the weights out of the update
    after:        "updated" | "original"    the parameters loss_after is computed from
    """

    log: str = "e"
    loss_terms: str = "cross_entropy"
    mean: bool = True
    target_one: bool = False
    jacobian: str = "full"
    act_prime_of: str = "output"
    paths: int | str | None = None
    backprop_W_ho: str = "original"
    layer2: str = "W_ho"
    rate_factor: float = 1.0
    sign: float = -1.0
    update_biases: bool = True
    negate: frozenset = frozenset()
    swap_outputs: bool = False
    act_prime_factor: str = "both"
    chain_act: bool = True
    backprop_transpose: bool = True
    grad_x: str = "own"
    grad_h: str = "own"
    update_weights: bool = True
    after: str = "updated"


CORRECT = Habits()

Values = dict  # key or input name -> array (floats)
Round = Callable[[Array], Array]
Formula = Callable[[Values, Example, Habits, Round], Array]


@dataclass(frozen=True)
class Stage:
    """One answerable trace key.

    key:   the trace key ("forward.o_in", "loss", "updated.W_ih")
    group: the article's stage it belongs to (see GROUPS)
    deps:  the earlier keys (or inputs) its formulas read
    formulas: (habits) -> the formulas giving it; the first fills the chain, every one
           counts as correct working (empty never)
    prefer: when a student answered any of these keys, the last formula (the one that
           reads them) fills the chain instead: a student who wrote stage 1 and stage 2
           multiplies them rather than using the o_out − y shortcut
    """

    key: str
    group: str
    deps: tuple[str, ...]
    formulas: Callable[[Habits], tuple[Formula, ...]]
    prefer: tuple[str, ...] = ()

    def working(self, habits: Habits) -> tuple[Formula, ...]:
        """The formulas as this student applies them (`formulas`, each with its sign
        turned when the student writes this key with the wrong sign, `Habits.negate`)."""
        found = self.formulas(habits)
        if self.key in habits.negate:
            return tuple(_negated(f) for f in found)
        return found


def _negated(f: Formula) -> Formula:
    return lambda v, ex, h, r: -np.asarray(f(v, ex, h, r), dtype=float)


#: The article's stages, in order, with a title each (for output and pages).
GROUPS = {
    "forward": "Forward pass",
    "loss": "Loss",
    "output": "Layer 2: output weights",
    "hidden": "Layer 1: hidden weights",
    "after": "Loss after the step",
}

# ---------------------------------------------------------------------------------------
# Inputs and rounding


def inputs(example: Example) -> Values:
    """The example's given values under the names the formulas read."""
    p = example.params
    return {"x": example.x, "y": example.y, "W_ih": p.W_ih, "b_h": p.b_h, "W_ho": p.W_ho,
            "b_o": p.b_o}


def round_shown(value: Array, decimals: int, ties: int = 0) -> Array:
    """Every finite entry as the page writes it (`precision.shown`); others unchanged.

    At or above `small_threshold` that is Python's round to `decimals` places (what
    `shown` does there, the short forms included); Python's round is correctly rounded,
    NumPy's is not at ties (np.round(0.12345, 4) gives 0.1234). Below it, `shown`.

    ties: +1 or −1 rounds a value that sits on a tie (0.67935 to 4 places, as a sum of
    4- and 2-place products often does) up or down, whichever way float noise put it:
    a student may write either, 0.6794 or 0.6793.
    """
    value = np.asarray(value, dtype=float)
    # One Python loop over the elements: the arrays are a handful of numbers, for which
    # NumPy's masks cost far more than the arithmetic (and round is Python's anyway).
    small = small_threshold(decimals)
    out = [v if not math.isfinite(v) else
           shown(v, decimals) if abs(v) < small else
           _tie(v, decimals, ties) if ties and _on_tie(v, decimals) else
           round(v, decimals)
           for v in value.ravel().tolist()]
    return np.array(out, dtype=float).reshape(value.shape)


def _tie(v: float, decimals: int, ties: int) -> float:
    """A value on a tie, rounded up (ties > 0) or down."""
    scaled = v * 10.0 ** decimals
    return float((np.ceil if ties > 0 else np.floor)(scaled)) / 10.0 ** decimals


def _on_tie(v: float, decimals: int) -> bool:
    """Does a value at or above `small_threshold` sit on a rounding tie (up to float
    noise), where `ties` decides?"""
    scaled = v * 10.0 ** decimals
    return abs(abs(scaled - float(math.trunc(scaled))) - 0.5) < 1e-9 * max(1.0, abs(scaled))


def _m(v: Values) -> int:
    return v["x"].shape[0]


def _scale(v: Values, h: Habits) -> float:
    """The 1/m of the mean, or 1 when a student sums instead."""
    return float(_m(v)) if h.mean else 1.0


# ---------------------------------------------------------------------------------------
# The forward pass and the loss (also run again, on the updated parameters, for loss_after)


def _h_in(v, ex, h, r):
    return v["x"] @ v["W_ih"] + v["b_h"]


def _h_out(v, ex, h, r):
    return ACTIVATIONS[ex.network.hidden_activation][0](v["forward.h_in"])


def _o_in(v, ex, h, r):
    W, b = {"W_ho": (v["W_ho"], v["b_o"]), "W_ho_T": (v["W_ho"].T, v["b_o"]),
            "layer1": (v["W_ih"].T, v["b_h"])}[h.layer2]
    return v["forward.h_out"] @ W + b


def _o_out(v, ex, h, r):
    o_in = v["forward.o_in"]
    out = np.exp(log_softmax(o_in)) if ex.network.output == "softmax_cross_entropy" \
        else sigmoid(o_in)
    return out[:, ::-1] if h.swap_outputs else out


def loss_terms(o_out: Array, y: Array, example: Example, habits: Habits = CORRECT) -> Array:
    """Each output's term of each example's loss (m, n_out); the loss adds them up."""
    o = o_out
    if example.network.output != "softmax_cross_entropy":
        return 0.5 * (y - o) ** 2
    log = np.log if habits.log == "e" else np.log10
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -np.where(y != 0, y * log(o), 0.0)
        if habits.loss_terms == "binary":
            terms = terms - np.where(y != 1, (1 - y) * log(1 - o), 0.0)
    return terms


def _losses(v, ex, h, r):
    """Each example's loss; its terms are written down (rounded, in the rounded chain)
    and then added, as a hand calculation does."""
    return r(loss_terms(v["forward.o_out"], v["y"], ex, h)).sum(axis=1)


def _loss(v, ex, h, r):
    return v["losses"].sum() / _scale(v, h)


_FORWARD = (
    Stage("forward.h_in", "forward", ("x", "W_ih", "b_h"), lambda h: (_h_in,)),
    Stage("forward.h_out", "forward", ("forward.h_in",), lambda h: (_h_out,)),
    Stage("forward.o_in", "forward", ("forward.h_out", "W_ho", "b_o"), lambda h: (_o_in,)),
    Stage("forward.o_out", "forward", ("forward.o_in",), lambda h: (_o_out,)),
    Stage("losses", "loss", ("forward.o_out", "y"), lambda h: (_losses,)),
    Stage("loss", "loss", ("losses",), lambda h: (_loss,)),
)

# ---------------------------------------------------------------------------------------
# Layer 2


def _softmax(ex: Example) -> bool:
    return ex.network.output == "softmax_cross_entropy"


def _dE_do_out(v, ex, h, r):
    o, y, s = v["forward.o_out"], v["y"], _scale(v, h)
    if not _softmax(ex):
        return (o - y) / s
    if h.target_one:
        return -1.0 / (s * o)
    return np.where(y != 0, -y / (s * np.where(y != 0, o, 1.0)), 0.0)


def _jacobian(v, ex, h, r):
    o = v["forward.o_out"]
    eye = np.eye(o.shape[1])[None]
    if _softmax(ex):
        J = o[:, :, None] * (eye - o[:, None, :])
        # off_sign: the off-diagonal entries written +o_c·o_k
        return np.where(eye == 1, J, -J) if h.jacobian == "off_sign" else J
    return eye * (o * (1.0 - o))[:, :, None]


def _dE_do_in_product(v, ex, h, r):
    """Stage 1 times stage 2: Σ_c ∂E/∂o_out_c · ∂o_out_c/∂o_in_k (diagonal only, if so)."""
    d, J = v["backward.dE_do_out"], v["backward.do_out_do_in"]
    if h.jacobian == "diagonal" or not _softmax(ex):
        return d * np.diagonal(J, axis1=1, axis2=2)
    return np.einsum("mc,mck->mk", d, J)


def _dE_do_in_shortcut(v, ex, h, r):
    """Softmax with cross-entropy: (o_out − y)/m, the article's δ_o."""
    if not _softmax(ex):
        return _dE_do_in_product(v, ex, h, r)
    return (v["forward.o_out"] - v["y"]) / _scale(v, h)


def _dE_do_in(h: Habits) -> tuple[Formula, ...]:
    # the o_out − y shortcut is correct working only on correct stages 1 and 2
    if h.jacobian == "full" and not h.target_one and \
            not {"backward.dE_do_out", "backward.do_out_do_in"} & h.negate:
        return (_dE_do_in_shortcut, _dE_do_in_product)
    return (_dE_do_in_product,)


def _dE_dW_ho(v, ex, h, r):
    h_out = v["forward.h_out"]
    return (h_out[:, ::-1] if h.grad_h == "other" else h_out).T @ v["backward.dE_do_in"]


def _dE_db_o(v, ex, h, r):
    return v["backward.dE_do_in"].sum(axis=0)


def _alias(key: str) -> Formula:
    return lambda v, ex, h, r: v[key]


def _updated(name: str) -> Formula:
    def formula(v, ex, h, r):
        old = v[name]
        if name.startswith("b_") and not (ex.network.update_biases and h.update_biases):
            return old
        if name.startswith("W_") and not h.update_weights:
            return old
        return old + h.sign * h.rate_factor * ex.learning_rate * v[f"gradients.{name}"]
    return formula


_OUTPUT = (
    Stage("backward.dE_do_out", "output", ("forward.o_out", "y"), lambda h: (_dE_do_out,)),
    Stage("backward.do_out_do_in", "output", ("forward.o_out",), lambda h: (_jacobian,)),
    Stage("backward.dE_do_in", "output",
          ("backward.dE_do_out", "backward.do_out_do_in", "forward.o_out", "y"), _dE_do_in,
          prefer=("backward.dE_do_out", "backward.do_out_do_in")),
    Stage("backward.dE_dW_ho", "output", ("forward.h_out", "backward.dE_do_in"),
          lambda h: (_dE_dW_ho,)),
    Stage("gradients.W_ho", "output", ("backward.dE_dW_ho",),
          lambda h: (_alias("backward.dE_dW_ho"),)),
    Stage("backward.dE_db_o", "output", ("backward.dE_do_in",), lambda h: (_dE_db_o,)),
    Stage("gradients.b_o", "output", ("backward.dE_db_o",),
          lambda h: (_alias("backward.dE_db_o"),)),
    Stage("updated.W_ho", "output", ("W_ho", "gradients.W_ho"), lambda h: (_updated("W_ho"),)),
    Stage("updated.b_o", "output", ("b_o", "gradients.b_o"), lambda h: (_updated("b_o"),)),
)

# ---------------------------------------------------------------------------------------
# Layer 1


def _dE_dh_out(v, ex, h, r):
    d = v["backward.dE_do_in"]
    W = v["updated.W_ho"] if h.backprop_W_ho == "updated" else v["W_ho"]
    if not h.backprop_transpose:            # W_ho's rows and columns read the other way
        W = W.T
    if h.paths is None:
        return d @ W.T                      # every output's path, summed
    if h.paths == "own":                    # hidden unit j through output j only
        n = W.shape[0]
        return d[:, :n] * np.diagonal(W)[None, :]
    return d[:, [h.paths]] * W[:, h.paths][None, :]   # every unit through output k only


def _act_prime_through_output(v, ex, h, r):
    act, a = ex.network.hidden_activation, v["forward.h_out"]
    if act == "sigmoid":
        z = v["forward.h_in"] if h.act_prime_of == "input" else a
        return {"both": z * (1.0 - z), "h": z, "1-h": 1.0 - z}[h.act_prime_factor]
    if act == "tanh":
        return 1.0 - a ** 2
    return ACTIVATIONS[act][1](v["forward.h_in"])


def _act_prime_through_input(v, ex, h, r):
    """The engine's derivative, evaluated at h_in."""
    return ACTIVATIONS[ex.network.hidden_activation][1](v["forward.h_in"])


def _act_prime(h: Habits) -> tuple[Formula, ...]:
    if h.act_prime_of == "input" or h.act_prime_factor != "both":
        return (_act_prime_through_output,)
    return (_act_prime_through_output, _act_prime_through_input)


def _dE_dh_in(v, ex, h, r):
    if not h.chain_act:
        return np.array(v["backward.dE_dh_out"], dtype=float)
    return v["backward.dE_dh_out"] * v["backward.dh_out_dh_in"]


def _dE_dW_ih(v, ex, h, r):
    x = v["x"][:, ::-1] if h.grad_x == "other" else v["x"]
    return x.T @ v["backward.dE_dh_in"]


def _dE_db_h(v, ex, h, r):
    return v["backward.dE_dh_in"].sum(axis=0)


_HIDDEN = (
    Stage("backward.dE_dh_out", "hidden", ("backward.dE_do_in", "W_ho", "updated.W_ho"),
          lambda h: (_dE_dh_out,)),
    Stage("backward.dh_out_dh_in", "hidden", ("forward.h_out", "forward.h_in"), _act_prime),
    Stage("backward.dE_dh_in", "hidden", ("backward.dE_dh_out", "backward.dh_out_dh_in"),
          lambda h: (_dE_dh_in,)),
    Stage("backward.dE_dW_ih", "hidden", ("x", "backward.dE_dh_in"), lambda h: (_dE_dW_ih,)),
    Stage("gradients.W_ih", "hidden", ("backward.dE_dW_ih",),
          lambda h: (_alias("backward.dE_dW_ih"),)),
    Stage("backward.dE_db_h", "hidden", ("backward.dE_dh_in",), lambda h: (_dE_db_h,)),
    Stage("gradients.b_h", "hidden", ("backward.dE_db_h",),
          lambda h: (_alias("backward.dE_db_h"),)),
    Stage("updated.W_ih", "hidden", ("W_ih", "gradients.W_ih"), lambda h: (_updated("W_ih"),)),
    Stage("updated.b_h", "hidden", ("b_h", "gradients.b_h"), lambda h: (_updated("b_h"),)),
)

# ---------------------------------------------------------------------------------------
# The loss after the step: the forward pass again, on the updated parameters


def _loss_after(v, ex, h, r):
    source = "updated." if h.after == "updated" else ""
    after = {"x": v["x"], "y": v["y"],
             **{name: v[source + name] for name in ("W_ih", "b_h", "W_ho", "b_o")}}
    for stage in _FORWARD:
        after[stage.key] = r(stage.working(h)[0](after, ex, h, r))
    return after["loss"]


_AFTER = (
    Stage("loss_after", "after",
          ("updated.W_ih", "updated.b_h", "updated.W_ho", "updated.b_o"),
          lambda h: (_loss_after,)),
)

#: Every answerable key, in the article's order (also the order formulas run in).
STAGES: tuple[Stage, ...] = _FORWARD + _OUTPUT + _HIDDEN + _AFTER
KEYS: tuple[str, ...] = tuple(s.key for s in STAGES)
#: The keys with two correct workings (∂E/∂o_in, the activation's slope).
TWO_WAYS: tuple[str, ...] = tuple(s.key for s in STAGES if len(s.formulas(CORRECT)) > 1)
#: Every choice of workings a student can carry on: subsets of TWO_WAYS.
WORKINGS: tuple[frozenset[str], ...] = tuple(
    frozenset(k for i, k in enumerate(TWO_WAYS) if n >> i & 1)
    for n in range(2 ** len(TWO_WAYS)))
#: The rounded walks a grader considers: (other, ties) for `run`. Every choice of
#: workings with float-noise ties, and the first working with ties up and down.
ROUNDED_WALKS: tuple[tuple[frozenset[str], int], ...] = (
    *((other, 0) for other in WORKINGS), (WORKINGS[0], 1), (WORKINGS[0], -1))
_BY_KEY = {s.key: s for s in STAGES}


def shape_of(key: str, example: Example) -> tuple[int, ...]:
    """The shape of a key's value for this example (as in `trace --json`)."""
    n = example.sizes
    m, n_in, n_h, n_out = n["m"], n["n_in"], n["n_hidden"], n["n_out"]
    return {
        "forward.h_in": (m, n_h), "forward.h_out": (m, n_h), "forward.o_in": (m, n_out),
        "forward.o_out": (m, n_out), "losses": (m,), "loss": (),
        "backward.dE_do_out": (m, n_out), "backward.do_out_do_in": (m, n_out, n_out),
        "backward.dE_do_in": (m, n_out), "backward.dE_dW_ho": (n_h, n_out),
        "gradients.W_ho": (n_h, n_out), "backward.dE_db_o": (n_out,),
        "gradients.b_o": (n_out,), "updated.W_ho": (n_h, n_out), "updated.b_o": (n_out,),
        "backward.dE_dh_out": (m, n_h), "backward.dh_out_dh_in": (m, n_h),
        "backward.dE_dh_in": (m, n_h), "backward.dE_dW_ih": (n_in, n_h),
        "gradients.W_ih": (n_in, n_h), "backward.dE_db_h": (n_h,), "gradients.b_h": (n_h,),
        "updated.W_ih": (n_in, n_h), "updated.b_h": (n_h,), "loss_after": (),
    }[key]


# ---------------------------------------------------------------------------------------
# Where the article shows each key's working: (page, heading anchor)


def where(key: str, example: Example) -> tuple[str, str]:
    """The docs page and heading anchor that work out `key` (anchors as MkDocs' toc
    makes them from the headings; tests/test_mistakes.py holds them to docs/*.md)."""
    net = example.network
    act = net.hidden_activation          # the heading's Sigmoid / ReLU / tanh, slugified
    softmax = net.output == "softmax_cross_entropy"
    layer2 = f"layer-2-linear-then-{'softmax' if softmax else 'sigmoid'}"
    table = {
        "forward.h_in": ("forward.md", f"layer-1-linear-then-{act}"),
        "forward.h_out": ("forward.md", f"layer-1-linear-then-{act}"),
        "forward.o_in": ("forward.md", layer2),
        "forward.o_out": ("forward.md", layer2),
        "losses": ("forward.md", "the-loss"),
        "loss": ("forward.md", "the-loss"),
        "backward.dE_do_out": ("output-layer.md", "stage-1-the-loss-with-respect-to-each-output"),
        "backward.do_out_do_in": ("derivatives.md", "softmax-the-full-jacobian" if softmax
                                  else "sigmoid-outputs-a-diagonal-jacobian"),
        "backward.dE_do_in": ("derivatives.md", "from-the-loss-back-to-the-output-scores"),
        "backward.dE_dW_ho": ("output-layer.md", "every-weight-of-layer-2"),
        "gradients.W_ho": ("output-layer.md", "every-weight-of-layer-2"),
        "backward.dE_db_o": ("output-layer.md", "the-bias-gradient"),
        "gradients.b_o": ("output-layer.md", "the-bias-gradient"),
        "updated.W_ho": ("output-layer.md", "the-update"),
        "updated.b_o": ("output-layer.md", "the-update"),
        "backward.dE_dh_out": ("hidden-layer.md",
                               "stage-1-the-loss-with-respect-to-the-hidden-output"),
        "backward.dh_out_dh_in": ("hidden-layer.md", "stage-2-through-the-activation"),
        "backward.dE_dh_in": ("hidden-layer.md", "every-weight-of-layer-1"),
        "backward.dE_dW_ih": ("hidden-layer.md", "every-weight-of-layer-1"),
        "gradients.W_ih": ("hidden-layer.md", "every-weight-of-layer-1"),
        "backward.dE_db_h": ("hidden-layer.md", "the-bias-gradient"),
        "gradients.b_h": ("hidden-layer.md", "the-bias-gradient"),
        "updated.W_ih": ("hidden-layer.md", "the-update"),
        "updated.b_h": ("hidden-layer.md", "the-update"),
        "loss_after": ("wrap-up.md", "did-the-step-help"),
    }
    return table[key]


# ---------------------------------------------------------------------------------------
# Running the table


@dataclass(frozen=True)
class Chain:
    """One walk through the table.

    values:   key -> the value the walk carried on (an answer where one was given, else
              the first formula's value, rounded as shown in a rounded walk)
    computed: key -> every formula's value on the walk's earlier values (unrounded,
              before any answer replaced it): what the key should be, given what came
              before; the first is the one the walk carried on
    """

    values: dict[str, Array]
    computed: dict[str, tuple[Array, ...]] = field(default_factory=dict)


def run(example: Example, habits: Habits = CORRECT,
        answers: Mapping[str, tuple[Array, Array]] | None = None,
        rounded: bool = False, other: frozenset[str] = frozenset(),
        ties: int = 0) -> Chain:
    """Walk the table from the example's inputs.

    answers: key -> (values, mask): where mask is True the value replaces the computed
             one before later stages read it (the student's own numbers)
    rounded: every value filled in (not answered) is rounded as the page shows it
    other:   keys (of TWO_WAYS) whose other correct working the walk carries on (a
             rounded chain through o_out − y and one through stage 1 · stage 2 differ
             in the last place, and a student may take either)
    ties:    in a rounded walk, values on a tie round up (+1) or down (−1), see
             `round_shown`
    """
    d = example.decimals
    r: Round = (lambda a: round_shown(a, d, ties)) if rounded else (lambda a: a)
    v: Values = inputs(example)
    computed: dict[str, tuple[Array, ...]] = {}
    with np.errstate(all="ignore"):      # a student's 0 or 1 may meet a log or a division
        for stage in STAGES:
            found = tuple(np.asarray(f(v, example, habits, r), dtype=float)
                          for f in stage.working(habits))
            if bool(answers and any(k in answers for k in stage.prefer)) != \
                    (stage.key in other):
                found = found[::-1]
            computed[stage.key] = found
            value = r(found[0])
            if answers and stage.key in answers:
                given, mask = answers[stage.key]
                value = np.where(mask, given, value)
            v[stage.key] = value
    return Chain({k: v[k] for k in KEYS}, computed)


def rounded_walks(example: Example, habits: Habits = CORRECT) -> list[Chain]:
    """The rounded walks of ROUNDED_WALKS without answers, each distinct walk once.

    The same as ``[run(example, habits, rounded=True, other=o, ties=t) for o, t in
    ROUNDED_WALKS]`` up to repeats: for every key, the chains' `computed` values
    together are the same arrays (in another order and without the repeats). Walks
    only differ from where a choice changes a carried value, so the table is walked
    once and a walk is forked only there:

    - at a key with two workings, when they round to different values (most often
      they agree, and a walk carrying the other one would repeat this one);
    - ties up and down from the first stage where the first walk met a value on a tie
      (before it, they round every value as it does; without one, they repeat it).
    """
    d = example.decimals
    at = [0]            # the stage the first walk is at
    tie: list[int] = []  # the first stage where it met a tie

    small = small_threshold(d)

    def first(a: Array) -> Array:
        a = np.asarray(a, dtype=float)
        if not tie and any(math.isfinite(x) and abs(x) >= small and _on_tie(x, d)
                           for x in a.ravel().tolist()):
            tie.append(at[0])
        return round_shown(a, d)

    with np.errstate(all="ignore"):
        chains = _walk(example, habits, first, lambda a: round_shown(a, d),
                       inputs(example), {}, 0, at)
        if tie:
            main, start = chains[0], tie[0]
            for t in (1, -1):
                # the first walk's values before the tie, then on with ties rounded
                v = inputs(example) | {k: main.values[k] for k in KEYS[:start]}
                done = {k: main.computed[k] for k in KEYS[:start]}
                chains += _walk(example, habits, lambda a, t=t: round_shown(a, d, t),
                                None, v, done, start)
    return chains


def _walk(example: Example, habits: Habits, r: Round, r_fork: Round | None, v: Values,
          computed: dict[str, tuple[Array, ...]], start: int,
          at: list[int] | None = None) -> list[Chain]:
    """`run` (rounded, no answers) from STAGES[start] on, with v and computed holding
    the earlier stages' values; forked where a key's other working rounds to another
    value (forks round with `r_fork`; none when it is None). `at[0]`: the stage now."""
    forks: list[Chain] = []
    for i in range(start, len(STAGES)):
        if at is not None:
            at[0] = i
        stage = STAGES[i]
        found = tuple(np.asarray(f(v, example, habits, r), dtype=float)
                      for f in stage.working(habits))
        computed[stage.key] = found
        value = r(found[0])
        if r_fork is not None and len(found) > 1:
            other = r_fork(found[1])
            if other.shape != value.shape or other.tobytes() != value.tobytes():
                forks += _walk(example, habits, r_fork, r_fork, {**v, stage.key: other},
                               {**computed, stage.key: found[::-1]}, i + 1)
        v[stage.key] = value
    return [Chain({k: v[k] for k in KEYS}, computed), *forks]


def stage(key: str) -> Stage:
    return _BY_KEY[key]
