"""The classic mistakes of a hand-worked backpropagation step: one catalogue.

Each entry is one frozen `Mistake`: an id, the trace key where it starts, one sentence
a student understands, the article page and heading that show the right working, and a
small documented function that changes how the student computes (`stages.Habits`).
`Mistake.values(example)` is what a student making that one mistake gets, from its stage
on, everything before it correct: the stage table of `stages.py` run with the changed
habit, vectorised NumPy, the engine's own activations and softmax.

The checker (`check.py`), the practice page and the 2018 corrections page all read
this table; a new mistake is one new entry.

Ids. `one_path` comes in variants, one per output, `one_path[1]`, `one_path[2]`, …
(numbered like the article's outputs o_1, o_2, starting at 1: the id is a name, not an
index), and `one_path[own]`: each hidden unit through the output of its own number only
(the 2018 original's layer 1). `CATALOGUE` lists `one_path[1]` … `one_path[8]` (8 is the
most outputs the site builds pages for); `by_id` and `for_example` make any other.

Two mistakes together: `pair(a, b)` applies both habits (`pairs(example)` lists every
pair that can be made on an example); its id is `"a+b"`. The 2018 loss needs
`log10_loss+binary_ce`.

Not here: which answer a mistake explains (`check.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations
from typing import Callable

import numpy as np

from .example import Example
from .stages import CORRECT, KEYS, Habits, run, where

__all__ = ["Mistake", "CATALOGUE", "by_id", "for_example", "pair", "pairs", "MAX_OUTPUTS"]

#: one_path variants listed in CATALOGUE (the site builds pages for up to 8 outputs).
MAX_OUTPUTS = 8

Applies = Callable[[Example], bool]


@dataclass(frozen=True)
class Mistake:
    """One classic mistake.

    id:       stable name ("sign_flip", "one_path[2]", "log10_loss+binary_ce" for a pair)
    stage:    the first trace key it changes ("losses", "backward.dE_do_in", "updated.W_ho")
    sentence: what the student did, in one sentence
    page, anchor: the docs page and heading anchor showing the right working
              (`page` is a docs source path such as "forward.md"; `url` is the site's)
    keys:     the trace keys whose own formula it changes (later keys change through them)
    habit:    how the working changes (Habits -> Habits), the mistake itself
    applies:  whether the mistake can be made on an example (None from `values` if not)
    """

    id: str
    stage: str
    sentence: str
    page: str
    anchor: str
    keys: tuple[str, ...]
    habit: Callable[[Habits], Habits]
    applies: Applies

    @property
    def url(self) -> str:
        """The page and anchor as a site-relative URL ("forward/#the-loss")."""
        return f"{self.page.removesuffix('.md')}/#{self.anchor}"

    def habits(self, base: Habits = CORRECT) -> Habits:
        return self.habit(base)

    def values(self, example: Example) -> dict[str, np.ndarray | float] | None:
        """Every trace key this mistake changes, with what the student gets (from its
        stage on; everything before correct). Scalars (loss, loss_after) as floats.
        None when the mistake cannot be made on this example."""
        if not self.applies(example):
            return None
        return _changed(example, self.habits())


def _changed(example: Example, habits: Habits) -> dict[str, np.ndarray | float]:
    right = run(example).values
    wrong = run(example, habits).values
    return {k: (float(wrong[k]) if wrong[k].ndim == 0 else wrong[k])
            for k in KEYS if not np.array_equal(right[k], wrong[k], equal_nan=True)}


# ---------------------------------------------------------------------------------------
# When a mistake can be made


def _softmax(ex: Example) -> bool:
    return ex.network.output == "softmax_cross_entropy"


def _sigmoid_hidden(ex: Example) -> bool:
    return ex.network.hidden_activation == "sigmoid"


def _always(ex: Example) -> bool:
    return True


def _square_W_ho(ex: Example) -> bool:
    n = ex.sizes
    return n["n_hidden"] == n["n_out"]


def _layer1_fits(ex: Example) -> bool:
    n = ex.sizes
    return n["n_in"] == n["n_hidden"] == n["n_out"]


def _updates_biases(ex: Example) -> bool:
    return ex.network.update_biases


def _batch(ex: Example) -> bool:
    return ex.sizes["m"] > 1


def _has_output(k: int) -> Applies:
    return lambda ex: 0 <= k < ex.sizes["n_out"]


def _own_paths(ex: Example) -> bool:
    n = ex.sizes
    return 2 <= n["n_hidden"] <= n["n_out"]


# ---------------------------------------------------------------------------------------
# The mistakes: each a change of habit


def log10_loss(h: Habits) -> Habits:
    """The loss with base-10 logarithms (cross-entropy uses ln)."""
    return replace(h, log="10")


def binary_ce(h: Habits) -> Habits:
    """Binary cross-entropy −Σ[y ln p + (1 − y) ln(1 − p)] over the outputs, on a
    softmax output."""
    return replace(h, loss_terms="binary")


def target_one(h: Habits) -> Habits:
    """∂E/∂o_out = −1/o_out for every output, as if every target were 1 (the 2018
    original's second output)."""
    return replace(h, target_one=True)


def jacobian_diagonal(h: Habits) -> Habits:
    """∂E/∂o_in from the diagonal of the softmax Jacobian only: the cross terms through
    the other outputs dropped."""
    return replace(h, jacobian="diagonal")


def sigmoid_prime_of_input(h: Habits) -> Habits:
    """σ′ as h_in(1 − h_in) instead of h_out(1 − h_out)."""
    return replace(h, act_prime_of="input")


def one_path(k: int | str) -> Callable[[Habits], Habits]:
    """∂E/∂h_out through a single output (0-based k, or "own": hidden unit j through
    output j) instead of the sum over every output."""
    def habit(h: Habits) -> Habits:
        return replace(h, paths=k)
    habit.__doc__ = one_path.__doc__
    return habit


def updated_weights(h: Habits) -> Habits:
    """The hidden layer's gradients sent back through the already-updated W_ho (Mazur
    2015's second figure)."""
    return replace(h, backprop_W_ho="updated")


def transposed_weights(h: Habits) -> Habits:
    """o_in = h_out · W_hoᵀ + b_o: the weight matrix transposed (rows and columns
    swapped) in layer 2's forward pass."""
    return replace(h, layer2="W_ho_T")


def reused_layer1(h: Habits) -> Habits:
    """Layer 2 computed with layer 1's parameters again, W_ihᵀ and b_h, in place of W_ho
    and b_o (the 2018 original's o_in)."""
    return replace(h, layer2="layer1")


def learning_rate_x10(h: Habits) -> Habits:
    """The update with 10·η (the 2018 original's 0.2 for 0.02)."""
    return replace(h, rate_factor=10.0)


def sign_flip(h: Habits) -> Habits:
    """w + η·∂E/∂w instead of w − η·∂E/∂w: a step uphill."""
    return replace(h, sign=+1.0)


def biases_frozen(h: Habits) -> Habits:
    """The biases left out of the update."""
    return replace(h, update_biases=False)


def no_mean(h: Habits) -> Habits:
    """With m > 1: the loss and its gradients summed over the examples, not averaged."""
    return replace(h, mean=False)


# ---------------------------------------------------------------------------------------
# The catalogue


def _entry(id: str, stage: str, sentence: str, habit: Callable[[Habits], Habits],
           applies: Applies, keys: tuple[str, ...] | None = None) -> Mistake:
    """A Mistake pointing at the page and heading that work out its stage right."""
    page, anchor = _WHERE[stage]
    return Mistake(id, stage, sentence, page, anchor, keys or (stage,), habit, applies)


# Where the right working of each mistake's stage is. Only layer 2's heading depends on
# the example (it names the output function): `for_example` points it at the example's.
_WHERE = {
    "forward.o_in": ("forward.md", "layer-2-linear-then-softmax"),
    "losses": ("forward.md", "the-loss"),
    "loss": ("forward.md", "the-loss"),
    "backward.dE_do_out": ("derivatives.md", "from-the-loss-back-to-the-output-scores"),
    "backward.dE_do_in": ("derivatives.md", "softmax-the-full-jacobian"),
    "backward.dh_out_dh_in": ("derivatives.md", "the-hidden-activation-sigmoid"),
    "backward.dE_dh_out": ("hidden-layer.md",
                           "stage-1-the-loss-with-respect-to-the-hidden-output"),
    "updated.W_ho": ("output-layer.md", "the-update"),
    "updated.b_o": ("output-layer.md", "the-update"),
}

_UPDATES = ("updated.W_ho", "updated.b_o", "updated.W_ih", "updated.b_h")


def _one_path_entry(k: int | str) -> Mistake:
    if k == "own":
        return _entry(
            "one_path[own]", "backward.dE_dh_out",
            "You sent each hidden unit's gradient back through the output of its own "
            "number only; a hidden unit feeds every output, so ∂E/∂h_out sums the paths "
            "through all of them.", one_path("own"), _own_paths)
    return _entry(
        f"one_path[{k}]", "backward.dE_dh_out",
        f"You followed only the path through output {k} to get ∂E/∂h_out; a hidden unit "
        "feeds every output, so its gradient sums the paths through all of them.",
        one_path(k - 1), _has_output(k - 1))


CATALOGUE: tuple[Mistake, ...] = (
    _entry("transposed_weights", "forward.o_in",
           "You multiplied by W_ho transposed (rows and columns swapped) in layer 2's "
           "forward pass; o_in = h_out · W_ho + b_o with row j of W_ho for hidden unit j.",
           transposed_weights, _square_W_ho,
           keys=("forward.o_in", "loss_after")),
    _entry("reused_layer1", "forward.o_in",
           "You computed layer 2 with layer 1's weights and bias again (W_ih transposed, "
           "b_h) instead of W_ho and b_o.",
           reused_layer1, _layer1_fits, keys=("forward.o_in", "loss_after")),
    _entry("log10_loss", "losses",
           "You took base-10 logarithms in the loss; cross-entropy uses the natural "
           "logarithm ln, the one its derivative −y/o_out belongs to.",
           log10_loss, _softmax, keys=("losses", "loss_after")),
    _entry("binary_ce", "losses",
           "You used the two-class (binary) cross-entropy, −Σ[y ln o + (1 − y) ln(1 − o)], "
           "on a softmax output; its loss is −Σ y ln o_out, the true class's term only.",
           binary_ce, _softmax, keys=("losses", "loss_after")),
    _entry("no_mean", "loss",
           "You added up the examples' losses and gradients instead of averaging them: "
           "E has a 1/m in front, and so does every gradient.",
           no_mean, _batch,
           keys=("loss", "backward.dE_do_out", "backward.dE_do_in", "loss_after")),
    _entry("target_one", "backward.dE_do_out",
           "You took ∂E/∂o_out = −1/o_out for every output, as if every target were 1; "
           "it is −y/o_out, zero for every class that is not the target.",
           target_one, _softmax, keys=("backward.dE_do_out",)),
    _entry("jacobian_diagonal", "backward.dE_do_in",
           "You used only the diagonal of the softmax Jacobian for ∂E/∂o_in; each score "
           "reaches the loss through every output, so the cross terms count too "
           "(together: ∂E/∂o_in = o_out − y).",
           jacobian_diagonal, _softmax),
    _entry("updated_weights", "backward.dE_dh_out",
           "You sent the gradient back to layer 1 through the already-updated W_ho; every "
           "gradient uses the weights as they were before the step.",
           updated_weights, _always),
    _entry("sigmoid_prime_of_input", "backward.dh_out_dh_in",
           "You took σ′ as h_in(1 − h_in); the sigmoid's slope is h_out(1 − h_out), the "
           "function's own value, not its input.",
           sigmoid_prime_of_input, _sigmoid_hidden),
    *(_one_path_entry(k) for k in range(1, MAX_OUTPUTS + 1)),
    _one_path_entry("own"),
    _entry("learning_rate_x10", "updated.W_ho",
           "You moved the weights by 10·η times the gradient instead of η times it.",
           learning_rate_x10, _always, keys=_UPDATES),
    _entry("sign_flip", "updated.W_ho",
           "You added η·∂E/∂w instead of subtracting it; gradient descent steps against "
           "the gradient, w − η·∂E/∂w.",
           sign_flip, _always, keys=_UPDATES),
    _entry("biases_frozen", "updated.b_o",
           "You left the biases out of the update; they have gradients too "
           "(∂E/∂b_o = ∂E/∂o_in, ∂E/∂b_h = ∂E/∂h_in) and move like the weights.",
           biases_frozen, _updates_biases, keys=("updated.b_o", "updated.b_h")),
)

_BY_ID = {m.id: m for m in CATALOGUE}
_ONE_PATH = re.compile(r"^one_path\[(\d+)\]$")


def by_id(id: str) -> Mistake:
    """The mistake with this id (any `one_path[k]`, and pairs "a+b", included).

    Raises KeyError naming the id and the known ones.
    """
    if id in _BY_ID:
        return _BY_ID[id]
    found = _ONE_PATH.match(id)
    if found and int(found.group(1)) >= 1:
        return _one_path_entry(int(found.group(1)))
    if "+" in id:
        a, b = id.split("+", 1)
        return pair(by_id(a), by_id(b))
    raise KeyError(f"{id!r}: no such mistake; expected one of {', '.join(_BY_ID)}")


@lru_cache(maxsize=64)
def _for_sizes(n_out: int) -> tuple[Mistake, ...]:
    extra = [_one_path_entry(k) for k in range(MAX_OUTPUTS + 1, n_out + 1)]
    out: list[Mistake] = []
    for m in CATALOGUE:
        out.append(m)
        if m.id == f"one_path[{MAX_OUTPUTS}]":
            out += extra                    # every one_path[k] together, in order
    return tuple(out)


def for_example(example: Example) -> tuple[Mistake, ...]:
    """The mistakes that can be made on this example, in catalogue order, each pointing
    at this example's heading (layer 2's heading names its output function)."""
    return tuple(replace(m, anchor=where(m.stage, example)[1])
                 if m.stage == "forward.o_in" else m
                 for m in _for_sizes(example.sizes["n_out"]) if m.applies(example))


def pair(a: Mistake, b: Mistake) -> Mistake:
    """Two mistakes made together: both habits, the earlier stage, both sentences."""
    first, second = sorted((a, b), key=lambda m: KEYS.index(m.stage))
    return Mistake(f"{a.id}+{b.id}", first.stage, f"{a.sentence} {b.sentence}",
                   first.page, first.anchor, tuple(dict.fromkeys(a.keys + b.keys)),
                   lambda h: b.habit(a.habit(h)),
                   lambda ex: a.applies(ex) and b.applies(ex))


def pairs(example: Example) -> tuple[Mistake, ...]:
    """Every pair of mistakes that can be made together on this example (two that set
    the same habit, such as two one_path variants, cannot)."""
    singles = for_example(example)
    out = []
    for a, b in combinations(singles, 2):
        both = b.habit(a.habit(CORRECT))
        if both in (a.habit(CORRECT), b.habit(CORRECT)):
            continue  # one overrides the other: the pair is a single mistake
        out.append(pair(a, b))
    return tuple(out)
