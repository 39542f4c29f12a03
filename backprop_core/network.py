"""The 2-layer network of the article: forward pass, loss, backward pass, update.

Row-vector convention, as the article writes it::

    h_in  = x · W_ih + b_h          h_out = act(h_in)
    o_in  = h_out · W_ho + b_o      o_out = softmax(o_in)   (or sigmoid, see OUTPUTS)
    E     = −(1/m) Σ_examples Σ_classes y · ln(o_out)

Every function here is pure and vectorised over the m examples; nothing loops over
matrix elements. The backward pass reads the forward trace and never recomputes it.
The per-weight chain-rule walk-throughs (`Step.path_ho`, `Step.path_ih`) are views
(indexes) into the vectorised results, not a second implementation.

This module knows nothing about files, pages or formatting; see `example.py` and
`scripts/` for those.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Callable

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "Params",
    "Network",
    "Forward",
    "Backward",
    "OutputWeightPath",
    "HiddenWeightPath",
    "Step",
    "GradCheck",
    "Training",
    "forward",
    "backward",
    "update",
    "step",
    "gradient_check",
    "train",
]

Array = np.ndarray


# ---------------------------------------------------------------------------------------
# Activations: each is (function, derivative expressed through the input)


def sigmoid(z: Array) -> Array:
    # exp(-log(1 + e^-z)) never overflows, for any finite z.
    return np.exp(-np.logaddexp(0.0, -z))


def _sigmoid_prime(z: Array) -> Array:
    s = sigmoid(z)
    return s * (1.0 - s)


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_prime(z: Array) -> Array:
    # The derivative at exactly 0 is taken as 0 (the usual convention).
    return (z > 0).astype(float)


def _tanh_prime(z: Array) -> Array:
    return 1.0 - np.tanh(z) ** 2


ACTIVATIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "sigmoid": (sigmoid, _sigmoid_prime),
    "relu": (_relu, _relu_prime),
    "tanh": (np.tanh, _tanh_prime),
}

#: Output layer + loss pairs. The article's is softmax + cross-entropy; Mazur's 2015
#: example uses sigmoid outputs with squared error E = (1/m) Σ Σ ½(y − o_out)².
OUTPUTS = ("softmax_cross_entropy", "sigmoid_squared_error")


def log_softmax(z: Array) -> Array:
    """Row-wise log-softmax, stable for logits of any finite size."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


# ---------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Params:
    """The four trainable arrays (also used for their gradients).

    W_ih: (n_in, n_hidden)   input → hidden weights; row i = input i
    b_h:  (n_hidden,)        hidden bias
    W_ho: (n_hidden, n_out)  hidden → output weights; row j = hidden unit j
    b_o:  (n_out,)           output bias
    """

    W_ih: Array
    b_h: Array
    W_ho: Array
    b_o: Array

    def items(self) -> list[tuple[str, Array]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def map(self, fn: Callable[[str, Array], Array]) -> "Params":
        return Params(**{name: fn(name, value) for name, value in self.items()})


@dataclass(frozen=True)
class Network:
    """What kind of network, as opposed to its numbers.

    hidden_activation: "sigmoid" | "relu" | "tanh"
    output:            one of OUTPUTS
    update_biases:     False freezes b_h and b_o (Mazur's example never updates them)
    """

    hidden_activation: str = "sigmoid"
    output: str = "softmax_cross_entropy"
    update_biases: bool = True

    def __post_init__(self) -> None:
        if self.hidden_activation not in ACTIVATIONS:
            raise ValueError(
                f"hidden_activation: expected one of {', '.join(ACTIVATIONS)}; "
                f"got {self.hidden_activation!r}"
            )
        if self.output not in OUTPUTS:
            raise ValueError(f"output: expected one of {', '.join(OUTPUTS)}; got {self.output!r}")


@dataclass(frozen=True)
class Forward:
    """Every value of the forward pass.

    h_in:   (m, n_hidden)  x · W_ih + b_h
    h_out:  (m, n_hidden)  act(h_in)
    o_in:   (m, n_out)     h_out · W_ho + b_o
    o_out:  (m, n_out)     softmax(o_in) per row (or sigmoid)
    log_o_out: (m, n_out)  ln(o_out), computed stably from o_in
    losses: (m,)           each example's loss (before the 1/m mean)
    loss:   float          E, the mean of `losses`
    """

    h_in: Array
    h_out: Array
    o_in: Array
    o_out: Array
    log_o_out: Array
    losses: Array
    loss: float


@dataclass(frozen=True)
class Backward:
    """Every value of the backward pass, stage by stage, output to input.

    dE_do_out:    (m, n_out)         ∂E/∂o_out. With y = 0 the entry is 0; with y = 1 and
                                     o_out underflowed to 0 it is −inf (the true value is
                                     beyond float range); nothing downstream uses it.
    do_out_do_in: (m, n_out, n_out)  per example, the Jacobian [c, k] = ∂o_out_c/∂o_in_k;
                                     softmax: o_c(δ_ck − o_k), off-diagonal terms included
    dE_do_in:     (m, n_out)         ∂E/∂o_in; softmax + cross-entropy: (o_out − y)/m
    dE_dW_ho:     (n_hidden, n_out)  h_outᵀ · ∂E/∂o_in
    dE_db_o:      (n_out,)           ∂E/∂o_in summed over examples
    dE_dh_out:    (m, n_hidden)      ∂E/∂o_in · W_hoᵀ: every output path summed
    dh_out_dh_in: (m, n_hidden)      act′(h_in)
    dE_dh_in:     (m, n_hidden)      ∂E/∂h_out ⊙ act′(h_in)
    dE_dW_ih:     (n_in, n_hidden)   xᵀ · ∂E/∂h_in
    dE_db_h:      (n_hidden,)        ∂E/∂h_in summed over examples
    """

    dE_do_out: Array
    do_out_do_in: Array
    dE_do_in: Array
    dE_dW_ho: Array
    dE_db_o: Array
    dE_dh_out: Array
    dh_out_dh_in: Array
    dE_dh_in: Array
    dE_dW_ih: Array
    dE_db_h: Array

    @property
    def grads(self) -> Params:
        return Params(W_ih=self.dE_dW_ih, b_h=self.dE_db_h, W_ho=self.dE_dW_ho, b_o=self.dE_db_o)


@dataclass(frozen=True)
class OutputWeightPath:
    """The chain rule for one hidden→output weight W_ho[j, k], per example.

    stage1:      (m, n_out)  ∂E/∂o_out_c for every class c
    stage2:      (m, n_out)  ∂o_out_c/∂o_in_k for every class c (column k of the Jacobian)
    stage12:     (m,)        ∂E/∂o_in_k = Σ_c stage1_c · stage2_c
    stage3:      (m,)        ∂o_in_k/∂W_ho[j, k] = h_out_j
    per_example: (m,)        stage12 · stage3
    total:       float       Σ over examples = ∂E/∂W_ho[j, k]
    """

    j: int
    k: int
    stage1: Array
    stage2: Array
    stage12: Array
    stage3: Array
    per_example: Array
    total: float


@dataclass(frozen=True)
class HiddenWeightPath:
    """The chain rule for one input→hidden weight W_ih[i, j], per example.

    paths:       (m, n_out)  ∂E/∂o_in_k · W_ho[j, k]: hidden unit j's path through output k
    stage1:      (m,)        ∂E/∂h_out_j = Σ_k paths_k
    stage2:      (m,)        ∂h_out_j/∂h_in_j = act′(h_in_j)
    stage3:      (m,)        ∂h_in_j/∂W_ih[i, j] = x_i
    per_example: (m,)        stage1 · stage2 · stage3
    total:       float       Σ over examples = ∂E/∂W_ih[i, j]
    """

    i: int
    j: int
    paths: Array
    stage1: Array
    stage2: Array
    stage3: Array
    per_example: Array
    total: float


@dataclass(frozen=True)
class Step:
    """One gradient-descent step: everything the article shows.

    network, learning_rate, x (m, n_in), y (m, n_out), params: the inputs
    forward, backward: the two passes
    updated:  Params after `params − learning_rate · grads` (biases kept if frozen)
    after:    Forward pass with the updated parameters
    """

    network: Network
    learning_rate: float
    x: Array
    y: Array
    params: Params
    forward: Forward
    backward: Backward
    updated: Params
    after: Forward

    @property
    def grads(self) -> Params:
        return self.backward.grads

    @property
    def loss(self) -> float:
        return self.forward.loss

    @property
    def loss_after(self) -> float:
        return self.after.loss

    def path_ho(self, j: int, k: int) -> OutputWeightPath:
        """Chain-rule factors of ∂E/∂W_ho[j, k] (0-based hidden unit j, output k)."""
        b = self.backward
        stage1 = b.dE_do_out
        stage2 = b.do_out_do_in[:, :, k]
        stage12 = b.dE_do_in[:, k]
        stage3 = self.forward.h_out[:, j]
        per_example = stage12 * stage3
        return OutputWeightPath(j, k, stage1, stage2, stage12, stage3, per_example,
                                float(b.dE_dW_ho[j, k]))

    def path_ih(self, i: int, j: int) -> HiddenWeightPath:
        """Chain-rule factors of ∂E/∂W_ih[i, j] (0-based input i, hidden unit j)."""
        b = self.backward
        paths = b.dE_do_in * self.params.W_ho[j, :]
        stage1 = b.dE_dh_out[:, j]
        stage2 = b.dh_out_dh_in[:, j]
        stage3 = self.x[:, i]
        per_example = stage1 * stage2 * stage3
        return HiddenWeightPath(i, j, paths, stage1, stage2, stage3, per_example,
                                float(b.dE_dW_ih[i, j]))


# ---------------------------------------------------------------------------------------
# Sums whose exact value is zero

# A sum whose exact value is 0 (0.4·δ₁ + 0.4·δ₂ with δ₂ = −δ₁; x·W + b with b = −x·W)
# comes out of floating point as ±1e-17 or so. That residue is rounding error, not a
# digit of the result: a page would print it as a gradient a calculator cannot
# reproduce, and ReLU would take its derivative on the wrong side of the kink. An entry
# within the standard error bound of its own sum, 2·n·ε·Σ|term| for n terms, is set to
# exactly 0; every other entry keeps its bits.
_EPS = float(np.finfo(float).eps)


def _zero_residue(total: Array, scale: Callable[[], Array], ceiling: float, terms: int) -> Array:
    """`total` with its rounding residues set to 0.

    `scale()` gives Σ|term| for each entry; `ceiling` is a number no entry's Σ|term|
    exceeds, cheap to know, so that the usual case (no entry anywhere near zero)
    costs one comparison and never computes `scale()`.
    """
    bound = 2.0 * terms * _EPS
    magnitude = np.abs(total)
    if not (magnitude <= bound * ceiling).any():
        return total
    return np.where(magnitude <= bound * scale(), 0.0, total)


def _largest(a: Array | None) -> float:
    return float(np.abs(a).max(initial=0.0)) if a is not None else 0.0


def _affine(a: Array, b: Array, c: Array | None = None) -> Array:
    """a @ b (+ c, broadcast over rows), residues of exact zeros set to 0."""
    total = a @ b if c is None else a @ b + c
    n = a.shape[-1]

    def scale() -> Array:
        s = np.abs(a) @ np.abs(b)
        return s if c is None else s + np.abs(c)

    ceiling = n * _largest(a) * _largest(b) + _largest(c)
    return _zero_residue(total, scale, ceiling, n + (c is not None))


def _column_sums(a: Array) -> Array:
    """a summed over its rows (the m examples), residues of exact zeros set to 0."""
    m = a.shape[0]
    return _zero_residue(a.sum(axis=0), lambda: np.abs(a).sum(axis=0), m * _largest(a), m)


# ---------------------------------------------------------------------------------------
# The passes


def forward(network: Network, params: Params, x: Array, y: Array) -> Forward:
    act, _ = ACTIVATIONS[network.hidden_activation]
    h_in = _affine(x, params.W_ih, params.b_h)
    h_out = act(h_in)
    o_in = _affine(h_out, params.W_ho, params.b_o)
    if network.output == "softmax_cross_entropy":
        log_o_out = log_softmax(o_in)
        o_out = np.exp(log_o_out)
        # y == 0 entries contribute nothing, even where log_o_out is very negative.
        losses = -np.where(y != 0, y * log_o_out, 0.0).sum(axis=1)
    else:
        log_o_out = -np.logaddexp(0.0, -o_in)
        o_out = sigmoid(o_in)
        losses = 0.5 * ((y - o_out) ** 2).sum(axis=1)
    return Forward(h_in, h_out, o_in, o_out, log_o_out, losses, float(losses.mean()))


def backward(network: Network, params: Params, x: Array, y: Array, fwd: Forward) -> Backward:
    m = x.shape[0]
    o = fwd.o_out
    if network.output == "softmax_cross_entropy":
        with np.errstate(divide="ignore"):
            dE_do_out = np.where(y != 0, -y / (m * np.where(y != 0, o, 1.0)), 0.0)
        # J[c, k] = o_c (δ_ck − o_k)
        jac = o[:, :, None] * (np.eye(o.shape[1])[None] - o[:, None, :])
        # The Jacobian product collapses to this; computed directly it stays finite
        # even where o_out underflows.
        dE_do_in = (o - y) / m
    else:
        dE_do_out = (o - y) / m
        jac = np.einsum("mc,ck->mck", o * (1.0 - o), np.eye(o.shape[1]))
        dE_do_in = dE_do_out * o * (1.0 - o)

    _, act_prime = ACTIVATIONS[network.hidden_activation]
    dE_dW_ho = _affine(fwd.h_out.T, dE_do_in)
    dE_db_o = _column_sums(dE_do_in)
    dE_dh_out = _affine(dE_do_in, params.W_ho.T)
    dh_out_dh_in = act_prime(fwd.h_in)
    dE_dh_in = dE_dh_out * dh_out_dh_in
    dE_dW_ih = _affine(x.T, dE_dh_in)
    dE_db_h = _column_sums(dE_dh_in)
    return Backward(dE_do_out, jac, dE_do_in, dE_dW_ho, dE_db_o, dE_dh_out, dh_out_dh_in,
                    dE_dh_in, dE_dW_ih, dE_db_h)


def update(network: Network, params: Params, grads: Params, learning_rate: float) -> Params:
    def one(name: str, value: Array) -> Array:
        if name.startswith("b_") and not network.update_biases:
            return value
        # value − η·grad; a weight the step moves exactly to 0 lands on 0.
        change = getattr(grads, name) * -learning_rate
        new = change + value
        return _zero_residue(new, lambda: np.abs(value) + np.abs(change),
                             _largest(value) + _largest(change), 2)

    return params.map(one)


def step(network: Network, params: Params, x: Array, y: Array, learning_rate: float) -> Step:
    """Forward, backward, update, and the forward pass after the update."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    fwd = forward(network, params, x, y)
    bwd = backward(network, params, x, y, fwd)
    new = update(network, params, bwd.grads, learning_rate)
    return Step(network, float(learning_rate), x, y, params, fwd, bwd, new,
                forward(network, new, x, y))


# ---------------------------------------------------------------------------------------
# Checks and training runs


@dataclass(frozen=True)
class GradCheck:
    """Analytic gradients against central finite differences, per parameter.

    analytic, numeric, rel_error: Params of arrays shaped like each parameter
    rel_error = |a − n| / max(|a| + |n|, floor)
    max_rel_error: the largest over all parameters
    eps: the finite-difference step
    """

    analytic: Params
    numeric: Params
    rel_error: Params
    max_rel_error: float
    eps: float


def gradient_check(network: Network, params: Params, x: Array, y: Array,
                   eps: float = 1e-6, floor: float = 1e-12) -> GradCheck:
    """Central differences (E(θ + ε) − E(θ − ε)) / 2ε for every scalar parameter.

    This one does loop over parameters: each needs two forward passes of its own.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    analytic = backward(network, params, x, y, forward(network, params, x, y)).grads

    def numeric_for(name: str, value: Array) -> Array:
        out = np.empty_like(value)
        for idx in np.ndindex(value.shape):
            losses = []
            for sign in (1.0, -1.0):
                nudged = value.copy()
                nudged[idx] += sign * eps
                losses.append(forward(network, replace(params, **{name: nudged}), x, y).loss)
            out[idx] = (losses[0] - losses[1]) / (2 * eps)
        return out

    numeric = params.map(numeric_for)
    rel = analytic.map(lambda name, a: np.abs(a - getattr(numeric, name))
                       / np.maximum(np.abs(a) + np.abs(getattr(numeric, name)), floor))
    max_rel = max(float(v.max()) for _, v in rel.items())
    return GradCheck(analytic, numeric, rel, max_rel, eps)


@dataclass(frozen=True)
class Training:
    """A run of plain gradient descent.

    losses: (steps + 1,)  loss before any step, then after each step
    params: Params after the last step
    """

    losses: Array
    params: Params


def train(network: Network, params: Params, x: Array, y: Array, learning_rate: float,
          steps: int) -> Training:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    losses = np.empty(steps + 1)
    for t in range(steps):
        fwd = forward(network, params, x, y)
        losses[t] = fwd.loss
        params = update(network, params, backward(network, params, x, y, fwd).grads,
                        learning_rate)
    losses[steps] = forward(network, params, x, y).loss
    return Training(losses, params)
