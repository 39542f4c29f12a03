"""The article's numbers: one example file → everything the pages show, computed once.

`load(path)` reads and validates an example, refuses sizes the pages cannot show
legibly, runs the engine's step (and the same step with the other hidden activation,
for the conclusion) and caches the result by the file's path and content, so that
`mkdocs serve` recomputes only when the example changes.

`Tex` turns those numbers into LaTeX blocks (symbolic, substituted, value), always
through `fmt`. Nothing here computes a gradient: every value is read from
`backprop_core`'s `Step` and its per-weight views `path_ho` / `path_ih`.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import numpy as np

from backprop_core import (ACTIVATIONS, Example, ExampleError, Network, Step, load_example,
                           step, train)

import fmt

__all__ = ["LIMITS", "Article", "Tex", "check_sizes", "load", "validate"]

#: The largest sizes whose matrices and walk-throughs still read well on a page.
LIMITS = {"n_in": 8, "n_hidden": 8, "n_out": 8, "m": 4}
#: Inputs, parameters and learning rate beyond this are no worked example; they also
#: overflow the figures' axes long before the engine's arithmetic fails.
MAX_MAGNITUDE = 1e6

ACT_TEX = {"sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}", "tanh": r"\tanh"}
ACT_NAME = {"sigmoid": "sigmoid", "relu": "ReLU", "tanh": "tanh"}


def check_sizes(example: Example) -> None:
    """Refuse an example too large for legible pages, naming the size and the limit."""
    for key, limit in LIMITS.items():
        found = example.sizes[key]
        if found > limit:
            raise ExampleError(f"{key}: expected at most {limit} so that the pages stay "
                               f"legible; got {found}")


def check_finite(example: Example) -> None:
    """Refuse an example whose step or training run leaves float range.

    The engine computes such values honestly (an underflowed probability gives
    ∂E/∂o_out = −inf), but a page cannot show them as a worked example.
    """
    given = [("x", example.x), ("learning_rate", np.array(example.learning_rate)),
             *example.params.items()]
    for name, value in given:
        if np.abs(value).max() > MAX_MAGNITUDE:
            raise ExampleError(f"{name}: expected values between -{MAX_MAGNITUDE:g} and "
                               f"{MAX_MAGNITUDE:g} for the pages; got {np.abs(value).max():g}")
    s = example.step()
    named = [(f"{part}.{f.name}", getattr(getattr(s, part), f.name))
             for part in ("forward", "backward", "after")
             for f in fields(getattr(s, part))]
    named += [(f"updated.{name}", value) for name, value in s.updated.items()]
    run = train(example.network, example.params, example.x, example.y,
                example.learning_rate, example.train_steps)
    named.append((f"the {example.train_steps}-step training run's loss", run.losses))
    for name, value in named:
        if not np.all(np.isfinite(value)):
            raise ExampleError(f"{name}: expected finite values for the pages; the step "
                               "overflows float range with these numbers (use smaller "
                               "inputs, weights or learning rate)")


def validate(path: str | Path) -> Example:
    """Load an example and check that the site can show it. Raises ExampleError."""
    example = load_example(path)
    check_sizes(example)
    check_finite(example)
    return example


def load(path: str | Path) -> "Article":
    """The article for an example file, recomputed only when path or content changes."""
    path = Path(path).resolve()
    try:
        content = path.read_bytes()
    except OSError:
        content = b""  # let load_example report the problem in its own words
    return _load_cached(str(path), hashlib.sha256(content).hexdigest())


@lru_cache(maxsize=8)
def _load_cached(path: str, digest: str) -> "Article":
    example = validate(path)
    s = example.step()
    alt_name = "relu" if s.network.hidden_activation != "relu" else "sigmoid"
    alt_net = Network(alt_name, s.network.output, s.network.update_biases)
    alt = step(alt_net, example.params, example.x, example.y, example.learning_rate)
    return Article(Path(path), digest, example, s, alt)


def walk_indices(sizes: dict[str, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """The single weights the walk-throughs follow, 0-based: W_ho[j, k] and W_ih[i, j].

    The 2018 article follows W_h2o1 and W_i2h1 (0-based [1, 0]); a layer with a single
    unit falls back to index 0.
    """
    j = 1 if sizes["n_hidden"] > 1 else 0
    i = 1 if sizes["n_in"] > 1 else 0
    return (j, 0), (i, 0)


def mean_abs(a: np.ndarray) -> float:
    return float(np.mean(np.abs(a)))


@dataclass(frozen=True)
class Article:
    """One example and its step, plus the comparison step for the conclusion.

    alt: the same example, same parameters, with the other hidden activation
         (ReLU, or sigmoid when the example itself uses ReLU).
    """

    path: Path
    digest: str
    example: Example
    s: Step
    alt: Step

    @property
    def sizes(self) -> dict[str, int]:
        return self.example.sizes

    @property
    def d(self) -> int:
        return self.example.decimals

    @property
    def softmax(self) -> bool:
        return self.s.network.output == "softmax_cross_entropy"

    @property
    def act(self) -> str:
        return self.s.network.hidden_activation

    @property
    def walk(self) -> dict[str, int]:
        (j, k), (i, jj) = walk_indices(self.sizes)
        return {"ho_j": j, "ho_k": k, "ih_i": i, "ih_j": jj}

    @property
    def pho(self):
        w = self.walk
        return self.s.path_ho(w["ho_j"], w["ho_k"])

    @property
    def pih(self):
        w = self.walk
        return self.s.path_ih(w["ih_i"], w["ih_j"])

    @property
    def mean_h_out(self) -> float:
        return mean_abs(self.s.forward.h_out)

    @property
    def mean_abs_alt_h_out(self) -> float:
        """mean|h_out| of the comparison run (the other hidden activation)."""
        return mean_abs(self.alt.forward.h_out)

    @property
    def mean_x(self) -> float:
        return mean_abs(self.s.x)

    @property
    def weight_spread(self) -> float:
        """mean_j |W_{h_j o_2} − W_{h_j o_1}|: with δ_o = [−d, d], the way back through
        W_ho is its reciprocal (two outputs)."""
        w = self.s.params.W_ho
        return mean_abs(w[:, 1] - w[:, 0])

    def vanishing(self, s: Step | None = None) -> dict[str, float]:
        """Mean absolute weight gradient of each layer and their ratio (output / input).

        When every mean is non-zero, the ratio splits exactly into three factors
        (`factored`: True), each a ratio of mean absolute values the engine computed:

        inputs:     (mean|∂E/∂W_ho| / mean|δ_o|) / (mean|∂E/∂W_ih| / mean|δ_h|), what
                    each layer's weight gradient takes from the values entering it
                    (h_out for layer 2, x for layer 1; for one example exactly
                    mean|h_out| / mean|x|);
        weights:    mean|δ_o| / mean|∂E/∂h_out|, the way back through W_ho;
        activation: mean|∂E/∂h_out| / mean|δ_h|, the activation's slope.
        """
        s = s or self.s
        b = s.backward
        ho, ih = mean_abs(s.grads.W_ho), mean_abs(s.grads.W_ih)
        d_o, d_hout, d_h = mean_abs(b.dE_do_in), mean_abs(b.dE_dh_out), mean_abs(b.dE_dh_in)
        out = {"ho": ho, "ih": ih, "ratio": ho / ih if ih else float("inf"),
               "factored": bool(ih and d_o and d_hout and d_h)}
        if out["factored"]:
            out.update(inputs=(ho / d_o) / (ih / d_h), weights=d_o / d_hout,
                       activation=d_hout / d_h, d_o=d_o, d_hout=d_hout, d_h=d_h)
        return out


# ---------------------------------------------------------------------------------------
# LaTeX


def planned(block):
    """A `Tex` block written with a digits plan (`Tex._planned`)."""
    @functools.wraps(block)
    def write(self, *args, **kwargs):
        return self._planned(lambda: block(self, *args, **kwargs))
    return write


class Tex:
    """LaTeX for the pages, every number through `fmt`. Indices shown 1-based.

    Each block method returns an ``aligned`` environment for a ``$$ … $$`` block.
    A negative number after an operator is parenthesised (`fmt.signed`), and binary
    minus always has spaces, so "-0.25" on a page always means the value −0.25.
    """

    def __init__(self, art: Article) -> None:
        self.a = art
        self.s = art.s
        self.d = art.d
        self.m = art.sizes["m"]
        self._plan: fmt.Plan | None = None   # the digits of the page being written
        self._recording = False              # True while a page's lines are collected

    # -- one text per value on a page ---------------------------------------------------
    #
    # A page is written twice: once to collect its lines (`record_page`), once for real
    # (`plan_page`), so that a value shown in several places gets one set of digits
    # (`fmt.Plan`). A block called on its own (a test, a script) plans just itself.

    def record_page(self) -> None:
        """Start collecting a page's lines: what is written now is thrown away."""
        self._plan, self._recording = fmt.Plan(self.d, self._given()), True

    def _given(self) -> list[float]:
        """The values a page takes as given: the example, its parameters, the forward
        pass before and after the step (not gradients, steps or updated parameters)."""
        s = self.s
        values = [s.x, s.y, s.learning_rate, s.loss, s.loss_after,
                  *(getattr(s.params, f.name) for f in fields(s.params))]
        for part in (s.forward, s.after):
            values += [getattr(part, f.name) for f in fields(part)]
        # a value that is a gradient too (δ_o,2 = o_out,2 − 0) is planned: one text
        backward = {fmt.key(v) for f in fields(s.backward)
                    for v in np.ravel(getattr(s.backward, f.name))}
        return [float(v) for a in values for v in np.ravel(np.asarray(a, dtype=float))
                if fmt.key(v) not in backward]

    def plan_page(self) -> None:
        """Choose the collected page's digits; what is written now uses them."""
        if self._plan is not None:
            self._plan.solve()
        self._recording = False

    def end_page(self) -> None:
        self._plan, self._recording = None, False

    def _planned(self, write):
        """`write()` with a plan: the page's, or (outside a page) one of its own."""
        if self._plan is not None:
            return write()
        self.record_page()
        try:
            write()
            self.plan_page()
            return write()
        finally:
            self.end_page()

    # -- numbers --------------------------------------------------------------------

    def _extra(self, v: float, extra: int) -> int:
        """Extra digits for `v`: a planned value's own (the same everywhere on the
        page), else the line's `extra`."""
        if self._plan is None or not self._plan.planned(v):
            return extra
        if self._recording:  # a line that chose its own digits (`fit2`) sets a floor
            self._plan.at_least(v, extra)
        return self._plan.extra(v)

    def _fixed(self, v: float) -> bool:
        """Is `v` written in fixed decimals on this page even when small (it stands in
        a matrix of fixed decimals somewhere on the page)?"""
        return self._plan is not None and fmt.key(v) in self._plan.fixed

    def n(self, v: float, extra: int = 0) -> str:
        return fmt.num(v, self.d, self._extra(v, extra), fixed=self._fixed(v))

    def sn(self, v: float, extra: int = 0) -> str:
        text = self.n(v, extra)
        return f"({text})" if text.startswith("-") else text

    def vec(self, v, extra: int = 0) -> str:
        return self.mat(np.asarray(v, dtype=float).ravel(), extra)

    def mat(self, a, extra: int = 0) -> str:
        a = np.asarray(a, dtype=float)
        a = a if a.ndim == 2 else a[None, :]
        more = lambda v: self._extra(v, extra)  # noqa: E731
        if self._plan is not None and self._recording and \
                fmt.mixed([[fmt.num(v, self.d, more(v)) for v in row] for row in a]):
            self._plan.fixed.update(fmt.key(v) for v in a.ravel())
        return fmt.mat(a, self.d, more, fixed=self._fixed)

    def fit(self, formula, inputs, results) -> int:
        """Extra digits this line's given inputs need to be calculator-true (its
        gradients and updates take the page's digits, `fmt.Plan`)."""
        if self._plan is None:
            return fmt.extra_digits(formula, inputs, results, self.d)
        if self._recording:
            self._plan.line(formula, inputs, results)
            return 0
        k = self._plan.local(formula, inputs, results)
        return fmt.MOST_EXTRA if k is None else k

    # -- names ------------------------------------------------------------------------

    def ex(self, e: int | None) -> str:
        """Superscript naming example e, only when there is more than one."""
        return f"^{{({e + 1})}}" if (self.m > 1 and e is not None) else ""

    def name(self, base: str, idx: int | str, e: int | None = None) -> str:
        """h_in → h_{in,2}; x → x_{2}; with an example superscript when m > 1.

        An int index is 0-based and shown 1-based; a str index (``"k"``) is shown as is.
        """
        shown = idx + 1 if isinstance(idx, int) else idx
        if "_" in base:
            head, sub = base.split("_", 1)
            return f"{head}{self.ex(e)}_{{{sub},{shown}}}"
        return f"{base}{self.ex(e)}_{{{shown}}}"

    @staticmethod
    def w_ih(i: int, j: int) -> str:
        return f"W_{{i_{i + 1}h_{j + 1}}}"

    @staticmethod
    def w_ho(j: int, k: int) -> str:
        return f"W_{{h_{j + 1}o_{k + 1}}}"

    @staticmethod
    def b(layer: str, idx: int) -> str:
        return f"b_{{{layer}_{idx + 1}}}"

    def act_tex(self, act: str | None = None) -> str:
        return ACT_TEX[act or self.a.act]

    def act_name(self, act: str | None = None) -> str:
        return ACT_NAME[act or self.a.act]

    @staticmethod
    def d_(top: str, bottom: str) -> str:
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"

    # -- helpers ----------------------------------------------------------------------

    @staticmethod
    def _aligned(lines: list[str]) -> str:
        # A little air between rows: fractions stacked in an aligned block touch otherwise.
        return "\\begin{aligned}\n" + " \\\\[4pt]\n".join(lines) + "\n\\end{aligned}"

    @staticmethod
    def _sum(terms: list[str], per_row: int = 3) -> str:
        """Join formatted terms with +, continuing on a new aligned row every `per_row`.

        Only for use inside an ``aligned`` block: a long sum (8 inputs, 8 outputs)
        would otherwise run off the page (and three products are what fits a phone).
        """
        rows = [" + ".join(terms[i:i + per_row]) for i in range(0, len(terms), per_row)]
        return " \\\\\n&\\qquad + ".join(rows)

    @staticmethod
    def _rows(lhs: str, sym: str, sub: str, result: str) -> list[str]:
        """One substituted formula as aligned rows: the symbols, then the numbers and
        the result on a row of their own, so that the result stays on screen on a phone."""
        if not sym:
            return [f"{lhs} &= {sub} = {result}"]
        return [f"{lhs} &= {sym}", f"&= {sub} = {result}"]

    def _products(self, a, b, extra: int = 0) -> list[str]:
        """a_i · b_i for each i: first factor bare only in the first term."""
        out = []
        for t, (p, q) in enumerate(zip(a, b)):
            left = self.n(p, extra) if t == 0 else self.sn(p, extra)
            out.append(f"{left} \\cdot {self.sn(q, extra)}")
        return out

    def _terms(self, values, extra: int = 0) -> list[str]:
        """Values to be added: the first bare, the others parenthesised when negative."""
        return [self.n(v, extra) if t == 0 else self.sn(v, extra)
                for t, v in enumerate(values)]

    # -- forward ----------------------------------------------------------------------

    @planned
    def linear(self, layer: str, e: int) -> str:
        """Every unit of one linear layer for example e: symbolic, substituted, value."""
        s = self.s
        if layer == "hidden":
            inputs, W, b, out = s.x[e], s.params.W_ih, s.params.b_h, s.forward.h_in[e]
            in_name, out_name, w_name, b_layer = "x", "h_in", self.w_ih, "h"
        else:
            inputs, W, b, out = s.forward.h_out[e], s.params.W_ho, s.params.b_o, s.forward.o_in[e]
            in_name, out_name, w_name, b_layer = "h_out", "o_in", self.w_ho, "o"
        lines = []
        for j in range(W.shape[1]):
            k = self.fit(lambda i, w, bb: np.dot(i, w) + bb, [inputs, W[:, j], b[j]], out[j])
            symbolic = self._sum([f"{self.name(in_name, i, e)} {w_name(i, j)}"
                                  for i in range(W.shape[0])] + [self.b(b_layer, j)])
            numbers = self._products(inputs, W[:, j], k) + [self.sn(b[j], k)]
            lines.append(f"{self.name(out_name, j, e)} &= {symbolic}")
            lines.append(f"&= {self._sum(numbers)} \\\\\n&= {self.n(out[j])}"
                         if len(numbers) > 3 else f"&= {self._sum(numbers)} = {self.n(out[j])}")
        return self._aligned(lines)

    @planned
    def linear_matrix(self, layer: str) -> str:
        """The layer's linear step in matrix form: input · weights + bias = result."""
        s = self.s
        if layer == "hidden":
            X, W, b, out, name = s.x, s.params.W_ih, s.params.b_h, s.forward.h_in, "h_{in}"
        else:
            X, W, b, out, name = (s.forward.h_out, s.params.W_ho, s.params.b_o,
                                  s.forward.o_in, "o_{in}")
        k = self.fit(lambda x, w, bb: x @ w + bb, [X, W, b], out)
        return self._aligned([f"{name} &= {self.mat(X, k)} {self.mat(W, k)}",
                              f"&\\qquad + {self.vec(b, k)}",
                              f"&= {self.mat(out)}"])

    @planned
    def activation(self, e: int) -> str:
        """h_out = act(h_in), unit by unit, for example e."""
        s, f = self.s, self.act_tex()
        act = ACTIVATIONS[self.a.act][0]
        lines = []
        for j, (zin, zout) in enumerate(zip(s.forward.h_in[e], s.forward.h_out[e])):
            k = self.fit(act, [zin], zout)
            lines.append(f"{self.name('h_out', j, e)} &= {f}({self.name('h_in', j, e)}) "
                         f"= {f}({self.n(zin, k)}) = {self.n(zout)}")
        return self._aligned(lines)

    @planned
    def output(self, e: int) -> str:
        """o_out from o_in for example e: softmax or sigmoid, unit by unit."""
        s = self.s
        o_in, o_out = s.forward.o_in[e], s.forward.o_out[e]
        lines = []
        if self.a.softmax:
            for k in range(len(o_in)):
                x = self.fit(lambda o: np.exp(o[k]) / np.exp(o).sum(), [o_in], o_out[k])
                denominator = self._sum([f"e^{{{self.n(v, x)}}}" for v in o_in])
                lines += self._rows(
                    self.name('o_out', k, e),
                    rf"\frac{{e^{{{self.name('o_in', k, e)}}}}}"
                    rf"{{\sum_c e^{{{self.name('o_in', 'c', e)}}}}}",
                    rf"\frac{{e^{{{self.n(o_in[k], x)}}}}}{{{denominator}}}"
                    if len(o_in) <= 3 else
                    rf"e^{{{self.n(o_in[k], x)}}} \Big/ \big({denominator}\big)",
                    self.n(o_out[k]))
        else:
            sigma = ACTIVATIONS["sigmoid"][0]
            for k in range(len(o_in)):
                x = self.fit(sigma, [o_in[k]], o_out[k])
                lines.append(f"{self.name('o_out', k, e)} &= \\sigma({self.name('o_in', k, e)}) "
                             f"= \\sigma({self.n(o_in[k], x)}) = {self.n(o_out[k])}")
        return self._aligned(lines)

    @planned
    def loss_example(self, e: int) -> str:
        """One example's loss, substituted."""
        s = self.s
        y, o, L = s.y[e], s.forward.o_out[e], s.forward.losses[e]
        # one example: its loss is E itself; a batch names each example's L^{(n)}
        Le = f"L{self.ex(e)}" if self.m > 1 else "E"
        if self.a.softmax:
            t = int(np.argmax(y))
            k = self.fit(lambda p: -np.log(p), [o[t]], L)
            return self._aligned([
                f"{Le} &= -\\sum_c y{self.ex(e)}_c \\ln {self.name('o_out', 'c', e)}"
                f" = -\\ln {self.name('o_out', t, e)}",
                f"&= -\\ln({self.n(o[t], k)}) = {self.n(L)}"])
        k = self.fit(lambda yy, oo: 0.5 * np.sum((yy - oo) ** 2), [y, o], L)
        terms = self._sum([rf"\tfrac{{1}}{{2}}({self.n(yk)} - {self.sn(ok, k)})^2"
                           for yk, ok in zip(y, o)], per_row=2)
        return self._aligned([
            f"{Le} &= \\sum_c \\tfrac{{1}}{{2}}\\big(y{self.ex(e)}_c - "
            f"{self.name('o_out', 'c', e)}\\big)^2",
            f"&= {terms} \\\\\n&= {self.n(L)}"])

    @planned
    def loss_mean(self) -> str:
        """E as the mean of the per-example losses (m > 1)."""
        s = self.s
        k = self.fit(lambda v: np.sum(v) / self.m, [s.forward.losses], s.loss)
        terms = self._sum(self._terms(s.forward.losses, k))
        return self._aligned([
            rf"E &= \frac{{1}}{{{self.m}}} \sum_n L^{{(n)}}",
            rf"&= \frac{{1}}{{{self.m}}}\big({terms}\big)",
            f"&= {self.n(s.loss)}"])

    # -- derivatives ------------------------------------------------------------------

    @planned
    def act_prime(self, e: int) -> str:
        """act′(h_in) unit by unit for example e."""
        s, act = self.s, self.a.act
        lines = []
        for j in range(s.forward.h_in.shape[1]):
            zin, zout = s.forward.h_in[e, j], s.forward.h_out[e, j]
            val = s.backward.dh_out_dh_in[e, j]
            lhs = f"{self.act_tex()}'({self.name('h_in', j, e)})"
            if act == "sigmoid":
                k = self.fit(lambda h: h * (1 - h), [zout], val)
                lines += self._rows(lhs, f"{self.name('h_out', j, e)}(1 - {self.name('h_out', j, e)})",
                                    f"{self.n(zout, k)}(1 - {self.sn(zout, k)})", self.n(val))
            elif act == "tanh":
                k = self.fit(lambda h: 1 - h ** 2, [zout], val)
                lines += self._rows(lhs, f"1 - ({self.name('h_out', j, e)})^2",
                                    f"1 - {self.sn(zout, k)}^2", self.n(val))
            else:
                cond = "> 0" if zin > 0 else r"\le 0"
                lines.append(
                    rf"{lhs} &= \begin{{cases}} 1 & {self.name('h_in', j, e)} > 0 \\ 0 & "
                    rf"\text{{otherwise}} \end{{cases}} \quad ({self.n(zin)} {cond})"
                    f" = {self.n(val)}")
        return self._aligned(lines)

    @planned
    def jacobian_column(self, e: int, k: int) -> str:
        """Column k of example e's output Jacobian, entry by entry, substituted."""
        s = self.s
        o = s.forward.o_out[e]
        J = s.backward.do_out_do_in[e]
        lines = []
        for c in range(len(o)):
            lhs = self.d_(self.name("o_out", c, e), self.name("o_in", k, e))
            if c == k:
                x = self.fit(lambda p: p * (1 - p), [o[k]], J[c, k])
                lines += self._rows(lhs, f"{self.name('o_out', k, e)}(1 - {self.name('o_out', k, e)})",
                                    f"{self.n(o[k], x)}(1 - {self.sn(o[k], x)})", self.n(J[c, k]))
            elif self.a.softmax:
                x = self.fit(lambda p, q: -(p * q), [o[c], o[k]], J[c, k])
                lines += self._rows(lhs, f"-{self.name('o_out', c, e)}\\,{self.name('o_out', k, e)}",
                                    f"-({self.n(o[c], x)} \\cdot {self.sn(o[k], x)})",
                                    self.n(J[c, k]))
            else:
                lines.append(f"{lhs} &= 0")
        return self._aligned(lines)

    @planned
    def jacobian(self, e: int) -> str:
        """Example e's whole Jacobian ∂o_out/∂o_in as a matrix (rows c, columns k)."""
        lhs = self.d_(f"o{self.ex(e)}_{{out}}", f"o{self.ex(e)}_{{in}}")
        return f"{lhs} = {self.mat(self.s.backward.do_out_do_in[e])}"

    @planned
    def stage1(self, e: int) -> str:
        """∂E/∂o_out for every class of example e, substituted."""
        s = self.s
        y, o, g = s.y[e], s.forward.o_out[e], s.backward.dE_do_out[e]
        m, m_factor = self.m, (f"{self.m} \\cdot " if self.m > 1 else "")
        lines = []
        for c in range(len(o)):
            lhs = self.d_("E", self.name("o_out", c, e))
            if self.a.softmax:
                k = self.fit(lambda yy, p: -yy / (m * p), [y[c], o[c]], g[c])
                rhs = (rf"-\frac{{y{self.ex(e)}_{c + 1}}}{{{'m ' if self.m > 1 else ''}"
                       rf"{self.name('o_out', c, e)}}} = -\frac{{{self.n(y[c])}}}"
                       rf"{{{m_factor}{self.n(o[c], k)}}}")
            else:
                k = self.fit(lambda p, yy: (p - yy) / m, [o[c], y[c]], g[c])
                num_ = f"{self.name('o_out', c, e)} - y{self.ex(e)}_{c + 1}"
                sub = f"{self.n(o[c], k)} - {self.sn(y[c])}"
                rhs = (rf"\frac{{{num_}}}{{m}} = \frac{{{sub}}}{{{self.m}}}" if self.m > 1
                       else f"{num_} = {sub}")
            lines.append(f"{lhs} &= {rhs} = {self.n(g[c])}")
        return self._aligned(lines)

    @planned
    def delta_o(self, e: int) -> str:
        """δ_o = ∂E/∂o_in for example e, through the shortcut o_out − y (or σ′ for MSE)."""
        s = self.s
        y, o, g = s.y[e], s.forward.o_out[e], s.backward.dE_do_in[e]
        g1 = s.backward.dE_do_out[e]
        m = self.m
        lines = []
        for k in range(len(o)):
            lhs = self.d_("E", self.name("o_in", k, e))
            if self.a.softmax:
                x = self.fit(lambda p, yy: (p - yy) / m, [o[k], y[k]], g[k])
                sym = f"{self.name('o_out', k, e)} - y{self.ex(e)}_{k + 1}"
                sub = f"{self.n(o[k], x)} - {self.sn(y[k])}"
                rhs = (rf"\frac{{{sym}}}{{m}} = \frac{{{sub}}}{{{self.m}}}" if self.m > 1
                       else f"{sym} = {sub}")
                lines.append(f"{lhs} &= {rhs} = {self.n(g[k])}")
            else:
                x = self.fit(lambda a, p: a * p * (1 - p), [g1[k], o[k]], g[k])
                lines += self._rows(
                    lhs, f"{self.d_('E', self.name('o_out', k, e))}\\,"
                         f"{self.name('o_out', k, e)}(1 - {self.name('o_out', k, e)})",
                    f"{self.n(g1[k], x)} \\cdot {self.sn(o[k], x)}(1 - {self.sn(o[k], x)})",
                    self.n(g[k]))
        return self._aligned(lines)

    # -- output layer walk-through ----------------------------------------------------

    @planned
    def ho_stage12(self, e: int) -> str:
        """∂E/∂o_in,k = Σ_c stage1_c · stage2_c for the walk-through's k, example e."""
        p = self.a.pho
        k = p.k
        sym = self._sum([f"{self.d_('E', self.name('o_out', c, e))}"
                         f"{self.d_(self.name('o_out', c, e), self.name('o_in', k, e))}"
                         for c in range(p.stage1.shape[1])], per_row=2)
        x = self.fit(lambda a, b: np.sum(a * b), [p.stage1[e], p.stage2[e]], p.stage12[e])
        sub = self._sum(self._products(p.stage1[e], p.stage2[e], x), per_row=2)
        return self._aligned([f"{self.d_('E', self.name('o_in', k, e))} &= {sym}",
                              f"&= {sub} \\\\\n&= {self.n(p.stage12[e])}"])

    @planned
    def ho_chain(self) -> str:
        """The chain rule for the walk-through weight W_ho[j, k], per example and summed."""
        p = self.a.pho
        w = self.w_ho(p.j, p.k)
        lines = []
        for e in range(self.m):
            lhs = self.d_("E", w) + (f"\\Big|{self.ex(e)}" if self.m > 1 else "")
            x = self.fit(lambda a, b: a * b, [p.stage12[e], p.stage3[e]], p.per_example[e])
            lines += self._rows(lhs, f"{self.d_('E', self.name('o_in', p.k, e))}\\,"
                                     f"{self.d_(self.name('o_in', p.k, e), w)}",
                                f"{self.sn(p.stage12[e], x)} \\cdot {self.sn(p.stage3[e], x)}",
                                self.n(p.per_example[e]))
        return self._aligned(lines + self._sum_over_examples(w, p, "W_ho"))

    def _sum_over_examples(self, w: str, p, param: str) -> list[str]:
        """For m > 1, the aligned lines adding a walk-through's per-example gradients."""
        if self.m == 1:
            return []
        x = self.fit(np.sum, [p.per_example], p.total)
        terms = self._sum(self._terms(p.per_example, x))
        return [f"{self.d_('E', w)} &= \\sum_n {self.d_('E', w)}\\Big|^{{(n)}}",
                f"&= {terms} = {self.n(p.total)}"]

    @planned
    def grad_elements(self, layer: str) -> str:
        """Every weight of a layer: ∂E/∂W[a, b] = Σ_e in_a · δ_b, substituted."""
        s = self.s
        if layer == "ho":
            inputs, delta, G, w = s.forward.h_out, s.backward.dE_do_in, s.grads.W_ho, self.w_ho
            in_name, d_name = "h_out", "o_in"
        else:
            inputs, delta, G, w = s.x, s.backward.dE_dh_in, s.grads.W_ih, self.w_ih
            in_name, d_name = "x", "h_in"
        lines = []
        for a in range(G.shape[0]):
            for b in range(G.shape[1]):
                sym = " + ".join(f"{self.name(in_name, a, e)}"
                                 f"{self.d_('E', self.name(d_name, b, e))}"
                                 for e in range(self.m))
                x = self.fit(lambda i, d: np.sum(i * d), [inputs[:, a], delta[:, b]], G[a, b])
                sub = self._sum(self._products(inputs[:, a], delta[:, b], x), per_row=2)
                lines += self._rows(self.d_('E', w(a, b)), sym, sub, self.n(G[a, b]))
        return self._aligned(lines)

    @planned
    def grad_matrix(self, layer: str) -> str:
        """A layer's weight gradient as one product: input^T · δ."""
        s = self.s
        if layer == "ho":
            X, D, G = s.forward.h_out, s.backward.dE_do_in, s.grads.W_ho
            lhs, sym = "W_{ho}", r"h_{out}^\top\,\delta_o"
        else:
            X, D, G = s.x, s.backward.dE_dh_in, s.grads.W_ih
            lhs, sym = "W_{ih}", r"x^\top\,\delta_h"
        k = self.fit(lambda x, d: x.T @ d, [X, D], G)
        return self._aligned([f"{self.d_('E', lhs)} &= {sym}",
                              f"&= {self.mat(X.T, k)} {self.mat(D, k)}",
                              f"&= {self.mat(G)}"])

    @planned
    def update_element(self, name: str, idx: tuple[int, ...]) -> str:
        """One parameter's update, substituted: the step ΔW = −η ∂E/∂W, then W⁺ = W + ΔW
        (⁺ marks a value after the update; ′ is kept for derivatives, σ′).

        The step has a line of its own: at the page's precision a small step can leave
        the new value looking unchanged, and the reader should see it move.
        """
        s = self.s
        old = getattr(s.params, name)[idx]
        grad = getattr(s.grads, name)[idx]
        new = getattr(s.updated, name)[idx]
        delta = new - old
        eta = s.learning_rate
        sym = {"W_ho": self.w_ho, "W_ih": self.w_ih}[name](*idx)
        k1 = self.fit(lambda g: -eta * g, [grad], delta)
        k2 = self.fit(lambda w, dw: w + dw, [old, delta], new)
        return self._aligned([
            *self._rows(f"\\Delta {sym}", f"-\\eta {self.d_('E', sym)}",
                        f"- {self.n(eta)} \\cdot {self.sn(grad, k1)}", self.n(delta)),
            *self._rows(f"{sym}^{{+}}", f"{sym} + \\Delta {sym}",
                        f"{self.n(old, k2)} + {self.sn(delta, k2)}", self.n(new))])

    @planned
    def update_matrix(self, name: str) -> str:
        """A whole parameter's update in matrix form: the step ΔW = −η ∂E/∂W, then W⁺."""
        s = self.s
        sym = {"W_ih": "W_{ih}", "W_ho": "W_{ho}", "b_h": "b_h", "b_o": "b_o"}[name]
        old, grad, new = (getattr(s.params, name), getattr(s.grads, name),
                          getattr(s.updated, name))
        delta = new - old
        eta = s.learning_rate
        k1 = self.fit(lambda g: -eta * g, [grad], delta)
        k2 = self.fit(lambda w, dw: w + dw, [old, delta], new)
        return self._aligned([
            f"\\Delta {sym} &= -\\eta {self.d_('E', sym)}",
            f"&= - {self.n(eta)}{self.mat(grad, k1)}",
            f"&= {self.mat(delta)}",
            f"{sym}^{{+}} &= {sym} + \\Delta {sym}",
            f"&= {self.mat(old, k2)}",
            f"&\\qquad + {self.mat(delta, k2)}",
            f"&= {self.mat(new)}"])

    # -- hidden layer walk-through ----------------------------------------------------

    @planned
    def ih_stage1(self, e: int, j: int | None = None) -> str:
        """∂E/∂h_out,j as the sum of one path per output unit, for example e (by default
        the walk-through's hidden unit)."""
        p = self.a.pih
        j = p.j if j is None else j
        W = self.s.params.W_ho
        b = self.s.backward
        delta = b.dE_do_in[e]
        paths = delta * W[j]
        lines = []
        for k in range(W.shape[1]):
            x = self.fit(lambda d, w: d * w, [delta[k], W[j, k]], paths[k])
            lines += [f"{self.d_('E', self.name('o_in', k, e))}\\,{self.w_ho(j, k)} "
                      f"&= {self.sn(delta[k], x)} \\cdot {self.sn(W[j, k], x)}",
                      f"&= {self.n(paths[k])} \\quad \\text{{(via }} o_{{{k + 1}}})"]
        sym = self._sum([f"{self.d_('E', self.name('o_in', k, e))}\\,{self.w_ho(j, k)}"
                         for k in range(W.shape[1])], per_row=2)
        x = self.fit(np.sum, [paths], b.dE_dh_out[e, j])
        total = self._sum(self._terms(paths, x))
        lines.append(f"{self.d_('E', self.name('h_out', j, e))} &= {sym}")
        lines.append(f"&= {total} = {self.n(b.dE_dh_out[e, j])}")
        return self._aligned(lines)

    @planned
    def ih_chain(self) -> str:
        """The chain rule for the walk-through weight W_ih[i, j], per example and summed."""
        p = self.a.pih
        w = self.w_ih(p.i, p.j)
        lines = []
        for e in range(self.m):
            lhs = self.d_("E", w) + (f"\\Big|{self.ex(e)}" if self.m > 1 else "")
            sym = (f"{self.d_('E', self.name('h_out', p.j, e))}\\,"
                   f"{self.d_(self.name('h_out', p.j, e), self.name('h_in', p.j, e))}\\,"
                   f"{self.d_(self.name('h_in', p.j, e), w)}")
            x = self.fit(lambda a, b, c: a * b * c,
                         [p.stage1[e], p.stage2[e], p.stage3[e]], p.per_example[e])
            lines += self._rows(lhs, sym,
                                f"{self.sn(p.stage1[e], x)} \\cdot {self.sn(p.stage2[e], x)} "
                                f"\\cdot {self.sn(p.stage3[e], x)}",
                                self.n(p.per_example[e]))
        return self._aligned(lines + self._sum_over_examples(w, p, "W_ih"))

    @planned
    def dE_dh_out_matrix(self) -> str:
        """∂E/∂h_out = δ_o W_hoᵀ for all hidden units at once."""
        b, W = self.s.backward, self.s.params.W_ho
        k = self.fit(lambda d, w: d @ w.T, [b.dE_do_in, W], b.dE_dh_out)
        return self._aligned([r"\frac{\partial E}{\partial h_{out}} &= \delta_o\,W_{ho}^\top",
                              f"&= {self.mat(b.dE_do_in, k)} {self.mat(W.T, k)}",
                              f"&= {self.mat(b.dE_dh_out)}"])

    @planned
    def delta_h_matrix(self) -> str:
        """δ_h = ∂E/∂h_out ⊙ act′(h_in) for all hidden units at once."""
        b, f = self.s.backward, self.act_tex()
        k = self.fit(lambda a, c: a * c, [b.dE_dh_out, b.dh_out_dh_in], b.dE_dh_in)
        return self._aligned([
            rf"\delta_h &= \frac{{\partial E}}{{\partial h_{{out}}}} \odot {f}'(h_{{in}})",
            rf"&= {self.mat(b.dE_dh_out, k)} \odot {self.mat(b.dh_out_dh_in, k)}",
            f"&= {self.mat(b.dE_dh_in)}"])

    @planned
    def delta_h(self, e: int) -> str:
        """δ_h = ∂E/∂h_out ⊙ act′(h_in), unit by unit, for example e."""
        b = self.s.backward
        lines = []
        for j in range(b.dE_dh_in.shape[1]):
            x = self.fit(lambda a, c: a * c, [b.dE_dh_out[e, j], b.dh_out_dh_in[e, j]],
                         b.dE_dh_in[e, j])
            lines += self._rows(self.d_('E', self.name('h_in', j, e)),
                                f"{self.d_('E', self.name('h_out', j, e))}\\,"
                                f"{self.act_tex()}'({self.name('h_in', j, e)})",
                                f"{self.sn(b.dE_dh_out[e, j], x)} \\cdot "
                                f"{self.sn(b.dh_out_dh_in[e, j], x)}",
                                self.n(b.dE_dh_in[e, j]))
        return self._aligned(lines)

    @planned
    def bias_grad(self, layer: str) -> str:
        """∂E/∂b = Σ_e δ^{(e)}, unit by unit (the bias's own derivative is one)."""
        b = self.s.backward
        delta, G, d_name = ((b.dE_do_in, b.dE_db_o, "o_in") if layer == "o"
                            else (b.dE_dh_in, b.dE_db_h, "h_in"))
        lines = []
        for u in range(G.shape[0]):
            sym = " + ".join(self.d_("E", self.name(d_name, u, e)) for e in range(self.m))
            lhs = f"{self.d_('E', self.b(layer, u))} &= {sym}"
            if self.m > 1:
                x = self.fit(np.sum, [delta[:, u]], G[u])
                terms = self._sum(self._terms(delta[:, u], x))
                lines += [lhs, f"&= {terms} = {self.n(G[u])}"]
            else:
                lines.append(f"{lhs} = {self.n(G[u])}")
        return self._aligned(lines)

    # -- conclusion -------------------------------------------------------------------

    @planned
    def gap(self, s: Step | None = None) -> str:
        """The ratio of the layers' mean weight-gradient sizes, as a calculator-true line."""
        v = self.a.vanishing(s)
        k = self.fit2(lambda a, b: a / b, [v["ho"], v["ih"]], v["ratio"])
        mean = r"\operatorname{{mean}}\left|\frac{{\partial E}}{{\partial W_{{{0}}}}}\right|"
        return (rf"\frac{{{mean.format('ho')}}}{{{mean.format('ih')}}} = "
                rf"\frac{{{self.n(v['ho'], k)}}}{{{self.n(v['ih'], k)}}} = {fmt.sig(v['ratio'])}")

    @planned
    def gap_factors(self) -> str:
        """The ratio as the product of its three factors (see `Article.vanishing`)."""
        v = self.a.vanishing()
        x = fmt.extra_digits(lambda a, b, c: a * b * c,
                             [v["inputs"], v["weights"], v["activation"]], v["ratio"],
                             self.d, result_format=fmt.sig,
                             input_format=lambda u, k: fmt.sig(u, 3 + k))
        f = [fmt.sig(v[name], 3 + x) for name in ("inputs", "weights", "activation")]
        return f"{f[0]} \\cdot {f[1]} \\cdot {f[2]} = {fmt.sig(v['ratio'])}"

    @planned
    def gap_factor_block(self) -> str:
        """Each factor of the ratio as its own calculator-true quotient (one example: the
        inputs factor is mean|h_out| / mean|x|; a batch: the quotient of each layer's
        gradient size per error-signal size)."""
        v, s = self.a.vanishing(), self.s
        mean = r"\operatorname{{mean}}|{0}|"
        if self.m == 1:
            ins = [mean_abs(s.forward.h_out), mean_abs(s.x)]
            sym = rf"\frac{{{mean.format('h_{out}')}}}{{{mean.format('x')}}}"
            k = self.fit2(lambda a, b: a / b, ins, v["inputs"])
            sub = rf"\frac{{{self.n(ins[0], k)}}}{{{self.n(ins[1], k)}}}"
        else:
            ins = [v["ho"], v["d_o"], v["ih"], v["d_h"]]
            g_ho, g_ih = (mean.format(r"\partial E/\partial W_{%s}" % w) for w in ("ho", "ih"))
            d_o, d_h = mean.format(r"\delta_o"), mean.format(r"\delta_h")
            sym = rf"\frac{{{g_ho} \,/\, {d_o}}}{{{g_ih} \,/\, {d_h}}}"
            k = self.fit2(lambda a, b, c, d: (a / b) / (c / d), ins, v["inputs"])
            sub = (rf"\frac{{{self.n(ins[0], k)} / {self.n(ins[1], k)}}}"
                   rf"{{{self.n(ins[2], k)} / {self.n(ins[3], k)}}}")
        rows = [(r"\text{inputs}", sym, sub, v["inputs"])]
        for label, top, bottom, a, b, value in (
                (r"\text{back through } W_{ho}", r"\delta_o", r"\partial E/\partial h_{out}",
                 v["d_o"], v["d_hout"], v["weights"]),
                (r"\text{activation}", r"\partial E/\partial h_{out}", r"\delta_h",
                 v["d_hout"], v["d_h"], v["activation"])):
            k = self.fit2(lambda x, y: x / y, [a, b], value)
            rows.append((label, rf"\frac{{{mean.format(top)}}}{{{mean.format(bottom)}}}",
                         rf"\frac{{{self.n(a, k)}}}{{{self.n(b, k)}}}", value))
        lines = []
        for label, sym, sub, value in rows:
            lines += self._rows(label, sym, sub, fmt.sig(value))
        return self._aligned(lines)

    @planned
    def gap_change_line(self) -> str:
        """How many times the other activation's ratio is smaller, as a quotient of the
        two ratios' own quotients: from the means the page shows (with the digits the
        line needs, everywhere on the page), not from the ratios written to three
        digits, which a fourth would have to join (134 here and 133.9 there)."""
        v, va = self.a.vanishing(), self.a.vanishing(self.a.alt)
        ins = [v["ho"], v["ih"], va["ho"], va["ih"]]
        k = self.fit2(lambda a, b, c, d: (a / b) / (c / d), ins, v["ratio"] / va["ratio"])
        top, bottom = (rf"{self.n(a, k)} / {self.n(b, k)}" for a, b in (ins[:2], ins[2:]))
        return rf"\frac{{{top}}}{{{bottom}}} = {fmt.sig(v['ratio'] / va['ratio'])}"

    @planned
    def gap_change_factors(self) -> str:
        """The change of the ratio between the two runs, factor by factor: for each of
        the three factors of `gap_factors`, this run's over the other run's."""
        v, va = self.a.vanishing(), self.a.vanishing(self.a.alt)
        names = ("inputs", "weights", "activation")
        ins = [x for name in names for x in (v[name], va[name])]
        k = fmt.extra_digits(lambda a, b, c, d, e, f: (a / b) * (c / d) * (e / f), ins,
                             v["ratio"] / va["ratio"], self.d, result_format=fmt.sig,
                             input_format=lambda u, x: fmt.sig(u, 3 + x))
        parts = [rf"\frac{{{fmt.sig(v[name], 3 + k)}}}{{{fmt.sig(va[name], 3 + k)}}}"
                 for name in names]
        return " \\cdot ".join(parts) + f" = {fmt.sig(v['ratio'] / va['ratio'])}"

    @planned
    def weight_difference_line(self) -> str:
        """With δ_o = [−d, d] the way back through W_ho is 1 / mean_j |W_{h_j o_2} − W_{h_j o_1}|,
        whatever d is: that line, calculator-true."""
        spread = self.a.weight_spread
        k = self.fit2(lambda a: 1 / a, [spread], 1 / spread)
        return rf"\frac{{1}}{{{self.n(spread, k)}}} = {fmt.sig(1 / spread)}"

    def gap_parts(self) -> list[str]:
        """The three factors of `gap_factors`, written exactly as it writes them."""
        return self.gap_factors().split(" = ")[0].split(" \\cdot ")

    def gap_text(self, s: Step | None = None) -> str:
        """The ratio of the layers' gradient sizes as prose shows it (`fmt.sig`)."""
        return fmt.sig(self.a.vanishing(s)["ratio"])

    def gap_change(self) -> str:
        """How many times the other activation's ratio is smaller (or larger)."""
        return fmt.sig(self.a.vanishing()["ratio"] / self.a.vanishing(self.a.alt)["ratio"])

    def fit2(self, formula, inputs, result) -> int:
        """`fit` for a line whose result is a derived figure written with `fmt.sig`."""
        return fmt.extra_digits(formula, inputs, result, self.d, result_format=fmt.sig)

    # -- wrap-up ----------------------------------------------------------------------

    @planned
    def forward_after(self) -> str:
        """The forward pass again on the updated parameters (the engine's `Step.after`),
        substituted line by line, down to the loss after the step; every input is the
        updated parameter or the value of the line above, as the page writes them."""
        s, f = self.s, self.act_tex()
        p, v = s.updated, s.after
        act = ACTIVATIONS[self.a.act][0]
        out_name = r"\operatorname{softmax}" if self.a.softmax else r"\sigma"

        def out_fn(o):
            if self.a.softmax:
                z = np.exp(o - o.max(axis=1, keepdims=True))
                return z / z.sum(axis=1, keepdims=True)
            return 1 / (1 + np.exp(-o))

        k1 = self.fit(lambda x, w, b: x @ w + b, [s.x, p.W_ih, p.b_h], v.h_in)
        k2 = self.fit(act, [v.h_in], v.h_out)
        k3 = self.fit(lambda h, w, b: h @ w + b, [v.h_out, p.W_ho, p.b_o], v.o_in)
        k4 = self.fit(out_fn, [v.o_in], v.o_out)
        lines = [rf"h_{{in}}^{{+}} &= x\,W_{{ih}}^{{+}} + b_h^{{+}}",
                 f"&= {self.mat(s.x, k1)} {self.mat(p.W_ih, k1)}",
                 f"&\\qquad + {self.vec(p.b_h, k1)}",
                 f"&= {self.mat(v.h_in)}",
                 rf"h_{{out}}^{{+}} &= {f}(h_{{in}}^{{+}})",
                 rf"&= {f}\big({self.mat(v.h_in, k2)}\big)",
                 f"&= {self.mat(v.h_out)}",
                 rf"o_{{in}}^{{+}} &= h_{{out}}^{{+}}\,W_{{ho}}^{{+}} + b_o^{{+}}",
                 f"&= {self.mat(v.h_out, k3)} {self.mat(p.W_ho, k3)}",
                 f"&\\qquad + {self.vec(p.b_o, k3)}",
                 f"&= {self.mat(v.o_in)}",
                 rf"o_{{out}}^{{+}} &= {out_name}(o_{{in}}^{{+}})",
                 rf"&= {out_name}\big({self.mat(v.o_in, k4)}\big)",
                 f"&= {self.mat(v.o_out)}"]
        return self._aligned(lines + self._loss_after_rows())

    def _loss_after_rows(self) -> list[str]:
        """E after the step from o_out⁺, substituted (each term, while there are few)."""
        s, v = self.s, self.s.after
        m, e_after = self.m, r"E_{\text{after}}"
        scale = "" if m == 1 else rf"\frac{{1}}{{{m}}}"
        if self.a.softmax:
            true = np.argmax(s.y, axis=1)
            probs = v.o_out[np.arange(m), true]
            sym = (rf"-{scale}\sum_n \sum_c y^{{(n)}}_c \ln o^{{+(n)}}_{{out,c}}" if m > 1
                   else r"-\sum_c y_c \ln o^{+}_{out,c}")
            k = self.fit(lambda q: -np.mean(np.log(q)), [probs], v.loss)
            if m > 8:
                return [f"{e_after} &= {sym} = {self.n(v.loss)}"]
            terms = self._sum([rf"\ln({self.n(q, k)})" for q in probs])
            sub = f"-{terms}" if m == 1 else rf"-{scale}\big({terms}\big)"
            return self._rows(e_after, sym, sub, self.n(v.loss))
        sym = (rf"{scale}\sum_n \sum_c \tfrac{{1}}{{2}}\big(y^{{(n)}}_c - "
               rf"o^{{+(n)}}_{{out,c}}\big)^2" if m > 1
               else r"\sum_c \tfrac{1}{2}\big(y_c - o^{+}_{out,c}\big)^2")
        k = self.fit(lambda y, o: np.mean(0.5 * np.sum((y - o) ** 2, axis=1)),
                     [s.y, v.o_out], v.loss)
        if s.y.size > 8:
            return [f"{e_after} &= {sym} = {self.n(v.loss)}"]
        terms = self._sum([rf"\tfrac{{1}}{{2}}({self.n(yy)} - {self.sn(oo, k)})^2"
                           for yy, oo in zip(s.y.ravel(), v.o_out.ravel())], per_row=2)
        sub = terms if m == 1 else rf"{scale}\big({terms}\big)"
        return [f"{e_after} &= {sym}", f"&= {sub} \\\\\n&= {self.n(v.loss)}"]

    @planned
    def side_by_side(self) -> str:
        """Every parameter before and after the step."""
        s = self.s
        names = {"W_ih": "W_{ih}", "b_h": "b_h", "W_ho": "W_{ho}", "b_o": "b_o"}
        lines = []
        for name, sym in names.items():
            old, new = getattr(s.params, name), getattr(s.updated, name)
            frozen = (name.startswith("b_") and not s.network.update_biases)
            note = r" \quad \text{(frozen)}" if frozen else ""
            lines.append(f"{sym}: &\\quad {self.mat(old)} \\;\\longrightarrow\\; "
                         f"{self.mat(new)}{note}")
            if not frozen:  # the change itself: at this precision it can look like none
                lines.append(f"&\\quad \\Delta {sym} = {self.mat(new - old)}")
        return self._aligned(lines)
