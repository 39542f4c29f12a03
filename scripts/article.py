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

import hashlib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import numpy as np

from backprop_core import Example, ExampleError, Network, Step, load_example, step, train

import fmt

__all__ = ["LIMITS", "Article", "Tex", "check_sizes", "load", "validate"]

#: The largest sizes whose matrices and walk-throughs still read well on a page.
LIMITS = {"n_in": 8, "n_hidden": 8, "n_out": 8, "m": 4}
#: Inputs, parameters and learning rate beyond this are no worked example; they also
#: overflow the figures' axes long before the engine's arithmetic fails.
MAX_MAGNITUDE = 1e6

ACT_TEX = {"sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}", "tanh": r"\tanh"}
ACT_NAME = {"sigmoid": "Sigmoid", "relu": "ReLU", "tanh": "tanh"}


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

    def vanishing(self, s: Step | None = None) -> dict[str, float]:
        """Mean absolute weight gradient of each layer and their ratio (output / input)."""
        s = s or self.s
        ho, ih = mean_abs(s.grads.W_ho), mean_abs(s.grads.W_ih)
        return {"ho": ho, "ih": ih, "ratio": ho / ih if ih else float("inf")}


# ---------------------------------------------------------------------------------------
# LaTeX


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

    # -- numbers --------------------------------------------------------------------

    def n(self, v: float) -> str:
        return fmt.num(v, self.d)

    def sn(self, v: float) -> str:
        return fmt.signed(v, self.d)

    def vec(self, v) -> str:
        return fmt.vec(np.asarray(v, dtype=float).ravel(), self.d)

    def mat(self, a) -> str:
        a = np.asarray(a, dtype=float)
        return fmt.mat(a if a.ndim == 2 else a[None, :], self.d)

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
    def _sum(terms: list[str], per_row: int = 4) -> str:
        """Join formatted terms with +, continuing on a new aligned row every `per_row`.

        Only for use inside an ``aligned`` block: a long sum (8 inputs, 8 outputs)
        would otherwise run off the page.
        """
        rows = [" + ".join(terms[i:i + per_row]) for i in range(0, len(terms), per_row)]
        return " \\\\\n&\\qquad + ".join(rows)

    def _products(self, a, b) -> list[str]:
        """a_i · b_i for each i: first factor bare only in the first term."""
        out = []
        for t, (p, q) in enumerate(zip(a, b)):
            left = self.n(p) if t == 0 else self.sn(p)
            out.append(f"{left} \\cdot {self.sn(q)}")
        return out

    # -- forward ----------------------------------------------------------------------

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
            symbolic = self._sum([f"{self.name(in_name, i, e)} {w_name(i, j)}"
                                  for i in range(W.shape[0])] + [self.b(b_layer, j)])
            numbers = self._products(inputs, W[:, j]) + [self.sn(b[j])]
            lines.append(f"{self.name(out_name, j, e)} &= {symbolic}")
            lines.append(f"&= {self._sum(numbers)} = {self.n(out[j])}")
        return self._aligned(lines)

    def activation(self, e: int) -> str:
        """h_out = act(h_in), unit by unit, for example e."""
        s, f = self.s, self.act_tex()
        lines = []
        for j, (zin, zout) in enumerate(zip(s.forward.h_in[e], s.forward.h_out[e])):
            lines.append(f"{self.name('h_out', j, e)} &= {f}({self.name('h_in', j, e)}) "
                         f"= {f}({self.n(zin)}) = {self.n(zout)}")
        return self._aligned(lines)

    def output(self, e: int) -> str:
        """o_out from o_in for example e: softmax or sigmoid, unit by unit."""
        s = self.s
        o_in, o_out = s.forward.o_in[e], s.forward.o_out[e]
        lines = []
        if self.a.softmax:
            denominator = " + ".join(f"e^{{{self.n(v)}}}" for v in o_in)
            for k in range(len(o_in)):
                lines.append(
                    f"{self.name('o_out', k, e)} &= "
                    rf"\frac{{e^{{{self.name('o_in', k, e)}}}}}{{\sum_c e^{{{self.name('o_in', 'c', e)}}}}}"
                    rf" = \frac{{e^{{{self.n(o_in[k])}}}}}{{{denominator}}} = {self.n(o_out[k])}")
        else:
            for k in range(len(o_in)):
                lines.append(f"{self.name('o_out', k, e)} &= \\sigma({self.name('o_in', k, e)}) "
                             f"= \\sigma({self.n(o_in[k])}) = {self.n(o_out[k])}")
        return self._aligned(lines)

    def loss_example(self, e: int) -> str:
        """One example's loss, substituted."""
        s = self.s
        y, o, L = s.y[e], s.forward.o_out[e], s.forward.losses[e]
        Le = f"L{self.ex(e)}"
        if self.a.softmax:
            t = int(np.argmax(y))
            return (f"{Le} = -\\sum_k y{self.ex(e)}_k \\ln {self.name('o_out', 'k', e)}"
                    f" = -\\ln {self.name('o_out', t, e)} = -\\ln({self.n(o[t])}) = {self.n(L)}")
        terms = " + ".join(rf"\tfrac{{1}}{{2}}({self.n(yk)} - {self.sn(ok)})^2"
                           for yk, ok in zip(y, o))
        return (f"{Le} = \\sum_k \\tfrac{{1}}{{2}}(y{self.ex(e)}_k - o{self.ex(e)}_{{out,k}})^2"
                f" = {terms} = {self.n(L)}")

    def loss_mean(self) -> str:
        """E as the mean of the per-example losses (m > 1)."""
        s = self.s
        terms = " + ".join(self.n(v) if t == 0 else self.sn(v)
                           for t, v in enumerate(s.forward.losses))
        return (rf"E = \frac{{1}}{{{self.m}}} \sum_e L^{{(e)}} = \frac{{1}}{{{self.m}}}"
                rf"\left({terms}\right) = {self.n(s.loss)}")

    # -- derivatives ------------------------------------------------------------------

    def act_prime(self, e: int) -> str:
        """act′(h_in) unit by unit for example e."""
        s, act = self.s, self.a.act
        lines = []
        for j in range(s.forward.h_in.shape[1]):
            zin, zout = s.forward.h_in[e, j], s.forward.h_out[e, j]
            val = s.backward.dh_out_dh_in[e, j]
            lhs = f"{self.act_tex()}'({self.name('h_in', j, e)})"
            if act == "sigmoid":
                rhs = (f"{self.name('h_out', j, e)}(1 - {self.name('h_out', j, e)}) "
                       f"= {self.n(zout)}(1 - {self.sn(zout)})")
            elif act == "tanh":
                rhs = f"1 - ({self.name('h_out', j, e)})^2 = 1 - {self.sn(zout)}^2"
            else:
                cond = "> 0" if zin > 0 else r"\le 0"
                rhs = rf"\begin{{cases}} 1 & {self.name('h_in', j, e)} > 0 \\ 0 & \text{{otherwise}} \end{{cases}}" \
                      rf" \quad ({self.n(zin)} {cond})"
            lines.append(f"{lhs} &= {rhs} = {self.n(val)}")
        return self._aligned(lines)

    def jacobian_column(self, e: int, k: int) -> str:
        """Column k of example e's output Jacobian, entry by entry, substituted."""
        s = self.s
        o = s.forward.o_out[e]
        J = s.backward.do_out_do_in[e]
        lines = []
        for c in range(len(o)):
            lhs = self.d_(self.name("o_out", c, e), self.name("o_in", k, e))
            if c == k:
                rhs = (f"{self.name('o_out', k, e)}(1 - {self.name('o_out', k, e)}) "
                       f"= {self.n(o[k])}(1 - {self.sn(o[k])})")
            elif self.a.softmax:
                rhs = (f"-{self.name('o_out', c, e)}\\,{self.name('o_out', k, e)} "
                       f"= -({self.n(o[c])} \\cdot {self.sn(o[k])})")
            else:
                rhs = "0"
                lines.append(f"{lhs} &= 0")
                continue
            lines.append(f"{lhs} &= {rhs} = {self.n(J[c, k])}")
        return self._aligned(lines)

    def jacobian(self, e: int) -> str:
        """Example e's whole Jacobian ∂o_out/∂o_in as a matrix (rows c, columns k)."""
        lhs = self.d_(f"o{self.ex(e)}_{{out}}", f"o{self.ex(e)}_{{in}}")
        return f"{lhs} = {self.mat(self.s.backward.do_out_do_in[e])}"

    def stage1(self, e: int) -> str:
        """∂E/∂o_out for every class of example e, substituted."""
        s = self.s
        y, o, g = s.y[e], s.forward.o_out[e], s.backward.dE_do_out[e]
        m_factor = f"{self.m} \\cdot " if self.m > 1 else ""
        lines = []
        for c in range(len(o)):
            lhs = self.d_("E", self.name("o_out", c, e))
            if self.a.softmax:
                rhs = (rf"-\frac{{y{self.ex(e)}_{c + 1}}}{{{'m ' if self.m > 1 else ''}"
                       rf"{self.name('o_out', c, e)}}} = -\frac{{{self.n(y[c])}}}"
                       rf"{{{m_factor}{self.n(o[c])}}}")
            else:
                num_ = f"{self.name('o_out', c, e)} - y{self.ex(e)}_{c + 1}"
                sub = f"{self.n(o[c])} - {self.sn(y[c])}"
                rhs = (rf"\frac{{{num_}}}{{m}} = \frac{{{sub}}}{{{self.m}}}" if self.m > 1
                       else f"{num_} = {sub}")
            lines.append(f"{lhs} &= {rhs} = {self.n(g[c])}")
        return self._aligned(lines)

    def delta_o(self, e: int) -> str:
        """δ_o = ∂E/∂o_in for example e, through the shortcut o_out − y (or σ′ for MSE)."""
        s = self.s
        y, o, g = s.y[e], s.forward.o_out[e], s.backward.dE_do_in[e]
        g1 = s.backward.dE_do_out[e]
        lines = []
        for k in range(len(o)):
            lhs = self.d_("E", self.name("o_in", k, e))
            if self.a.softmax:
                sym = f"{self.name('o_out', k, e)} - y{self.ex(e)}_{k + 1}"
                sub = f"{self.n(o[k])} - {self.sn(y[k])}"
                rhs = (rf"\frac{{{sym}}}{{m}} = \frac{{{sub}}}{{{self.m}}}" if self.m > 1
                       else f"{sym} = {sub}")
            else:
                rhs = (f"{self.d_('E', self.name('o_out', k, e))}\\,"
                       f"{self.name('o_out', k, e)}(1 - {self.name('o_out', k, e)}) "
                       f"= {self.n(g1[k])} \\cdot {self.sn(o[k])}(1 - {self.sn(o[k])})")
            lines.append(f"{lhs} &= {rhs} = {self.n(g[k])}")
        return self._aligned(lines)

    # -- output layer walk-through ----------------------------------------------------

    def ho_stage12(self, e: int) -> str:
        """∂E/∂o_in,k = Σ_c stage1_c · stage2_c for the walk-through's k, example e."""
        p = self.a.pho
        k = p.k
        sym = self._sum([f"{self.d_('E', self.name('o_out', c, e))}"
                         f"{self.d_(self.name('o_out', c, e), self.name('o_in', k, e))}"
                         for c in range(p.stage1.shape[1])], per_row=3)
        sub = self._sum(self._products(p.stage1[e], p.stage2[e]))
        return self._aligned([f"{self.d_('E', self.name('o_in', k, e))} &= {sym}",
                              f"&= {sub} = {self.n(p.stage12[e])}"])

    def ho_chain(self) -> str:
        """The chain rule for the walk-through weight W_ho[j, k], per example and summed."""
        p = self.a.pho
        w = self.w_ho(p.j, p.k)
        lines = []
        for e in range(self.m):
            lhs = self.d_("E", w) + (f"\\Big|{self.ex(e)}" if self.m > 1 else "")
            lines.append(f"{lhs} &= {self.d_('E', self.name('o_in', p.k, e))}\\,"
                         f"{self.d_(self.name('o_in', p.k, e), w)} = "
                         f"{self.sn(p.stage12[e])} \\cdot {self.sn(p.stage3[e])} "
                         f"= {self.n(p.per_example[e])}")
        return self._aligned(lines + self._sum_over_examples(w, p))

    def _sum_over_examples(self, w: str, p) -> list[str]:
        """For m > 1, the aligned lines adding a walk-through's per-example gradients."""
        if self.m == 1:
            return []
        terms = self._sum([self.n(v) if t == 0 else self.sn(v)
                           for t, v in enumerate(p.per_example)])
        return [f"{self.d_('E', w)} &= \\sum_e {self.d_('E', w)}\\Big|^{{(e)}}",
                f"&= {terms} = {self.n(p.total)}"]

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
                sub = self._sum(self._products(inputs[:, a], delta[:, b]))
                if self.m > 1:  # the symbolic sum fills a row of its own
                    lines += [f"{self.d_('E', w(a, b))} &= {sym}",
                              f"&= {sub} = {self.n(G[a, b])}"]
                else:
                    lines.append(f"{self.d_('E', w(a, b))} &= {sym} = {sub} = {self.n(G[a, b])}")
        return self._aligned(lines)

    def update_element(self, name: str, idx: tuple[int, ...]) -> str:
        """One parameter's update, substituted: W' = W − η ∂E/∂W."""
        s = self.s
        old = getattr(s.params, name)[idx]
        grad = getattr(s.grads, name)[idx]
        new = getattr(s.updated, name)[idx]
        sym = {"W_ho": self.w_ho, "W_ih": self.w_ih}[name](*idx)
        # The step η·∂E/∂W on its own: at the page's precision a small step can leave
        # the new value looking unchanged, and the reader should see why.
        return (f"{sym}' = {sym} - \\eta {self.d_('E', sym)} = {self.n(old)} - "
                f"{self.sn(s.learning_rate)} \\cdot {self.sn(grad)} = {self.n(old)} - "
                f"{self.sn(s.learning_rate * grad)} = {self.n(new)}")

    def update_matrix(self, name: str) -> str:
        """A whole parameter's update in matrix form."""
        s = self.s
        sym = {"W_ih": "W_{ih}", "W_ho": "W_{ho}", "b_h": "b_h", "b_o": "b_o"}[name]
        return self._aligned([
            f"{sym}' &= {sym} - \\eta {self.d_('E', sym)}",
            f"&= {self.mat(getattr(s.params, name))}",
            f"&\\qquad - {self.sn(s.learning_rate)}{self.mat(getattr(s.grads, name))}",
            f"&= {self.mat(getattr(s.updated, name))}"])

    # -- hidden layer walk-through ----------------------------------------------------

    def ih_stage1(self, e: int) -> str:
        """∂E/∂h_out,j as the sum of one path per output unit, for example e."""
        p = self.a.pih
        j = p.j
        W = self.s.params.W_ho
        delta = self.s.backward.dE_do_in[e]
        lines = []
        for k in range(W.shape[1]):
            lines.append(f"\\text{{via }} o_{{{k + 1}}}: \\quad "
                         f"{self.d_('E', self.name('o_in', k, e))}\\,{self.w_ho(j, k)} "
                         f"&= {self.sn(delta[k])} \\cdot {self.sn(W[j, k])} "
                         f"= {self.n(p.paths[e, k])}")
        sym = self._sum([f"{self.d_('E', self.name('o_in', k, e))}\\,{self.w_ho(j, k)}"
                         for k in range(W.shape[1])])
        total = self._sum([self.n(v) if t == 0 else self.sn(v)
                           for t, v in enumerate(p.paths[e])])
        lines.append(f"{self.d_('E', self.name('h_out', j, e))} &= {sym}")
        lines.append(f"&= {total} = {self.n(p.stage1[e])}")
        return self._aligned(lines)

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
            lines.append(f"{lhs} &= {sym}")
            lines.append(f"&= {self.sn(p.stage1[e])} \\cdot {self.sn(p.stage2[e])} \\cdot "
                         f"{self.sn(p.stage3[e])} = {self.n(p.per_example[e])}")
        return self._aligned(lines + self._sum_over_examples(w, p))

    def delta_h(self, e: int) -> str:
        """δ_h = ∂E/∂h_out ⊙ act′(h_in), unit by unit, for example e."""
        b = self.s.backward
        lines = []
        for j in range(b.dE_dh_in.shape[1]):
            lines.append(f"{self.d_('E', self.name('h_in', j, e))} &= "
                         f"{self.d_('E', self.name('h_out', j, e))}\\,"
                         f"{self.act_tex()}'({self.name('h_in', j, e)}) = "
                         f"{self.sn(b.dE_dh_out[e, j])} \\cdot {self.sn(b.dh_out_dh_in[e, j])} "
                         f"= {self.n(b.dE_dh_in[e, j])}")
        return self._aligned(lines)

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
                terms = self._sum([self.n(v) if t == 0 else self.sn(v)
                                   for t, v in enumerate(delta[:, u])])
                lines += [lhs, f"&= {terms} = {self.n(G[u])}"]
            else:
                lines.append(f"{lhs} = {self.n(G[u])}")
        return self._aligned(lines)

    # -- wrap-up ----------------------------------------------------------------------

    def side_by_side(self) -> str:
        """Every parameter before and after the step."""
        s = self.s
        names = {"W_ih": "W_{ih}", "b_h": "b_h", "W_ho": "W_{ho}", "b_o": "b_o"}
        lines = []
        for name, sym in names.items():
            old, new = getattr(s.params, name), getattr(s.updated, name)
            frozen = (name.startswith("b_") and not s.network.update_biases)
            note = r" \quad \text{(frozen)}" if frozen else ""
            lines.append(f"{sym}: \\quad {self.mat(old)} &\\;\\longrightarrow\\; "
                         f"{self.mat(new)}{note}")
        return self._aligned(lines)
