"""The article's figures, drawn from one example file at build time as SVG.

Three figures, each in a light and a dark variant (Material shows one or the other via
the ``#only-light`` / ``#only-dark`` image suffixes; a matplotlib chart is drawn once
and its dark variant recoloured), each with alternative text:

- ``network`` / ``gradients``: every node and edge of the network, forward values on
  the nodes and weights on the edges; then the same graph carrying the gradients
  (CS231n's circuit diagrams, with numbers from the engine instead of by hand);
- ``loss``: the loss over `train_steps` steps of gradient descent, the article's one
  step marked;
- ``vanishing``: sigmoid′ over its input with this example's h_in marked, and each
  layer's mean weight-gradient size for sigmoid, ReLU and tanh hidden layers.

`render(example)` is pure: example in, SVG text out. `build(path, cache_dir)` adds a
content cache (example bytes + this module, `fmt`, the engine and matplotlib's
version), so an unchanged example is not drawn again, and can draw in a background
thread while the build goes on. `html()` and `install()` are the
two things the site needs: the ``<figure>`` markup and the files in the built site.

Every number goes through the site's `fmt.num` at the example's display precision.
This module computes nothing itself: values come from `backprop_core`.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import json
import math
import os
import re
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

import escape
import fmt
from backprop_core import Example, Network, Step, load_example, step, train

__all__ = ["FIGURES", "SCHEMES", "Figure", "Built", "render", "describe", "recolour", "build",
           "html", "install", "plain", "cache_key"]

#: name → what the figure shows (also the order on the "Check" of files)
FIGURES = ("network", "gradients", "loss", "vanishing")
SCHEMES = ("light", "dark")
SITE_FOLDER = "figures"
DEFAULT_CACHE = Path(".cache/figures")
KEEP_CACHE_ENTRIES = 32

_HERE = Path(__file__).resolve().parent
_ENGINE = _HERE.parent / "backprop_core"


@dataclass(frozen=True)
class Palette:
    fg: str        # text and axes
    muted: str     # secondary text, edges
    bg: str        # behind labels that sit on lines (the page background)
    node: str      # node fill
    forward: str   # forward values (CS231n's green)
    backward: str  # gradients (CS231n's red)
    accent: str    # a third series colour


# Text colours keep ≥ 4.5:1 contrast on Material's default (white) and slate
# (#1e2129) backgrounds; the SVGs themselves are transparent.
PALETTES = {
    "light": Palette(fg="#1f2328", muted="#6e7781", bg="#ffffff", node="#f6f8fa",
                     forward="#1a7f37", backward="#cf222e", accent="#0969da"),
    "dark": Palette(fg="#e6edf3", muted="#8d96a0", bg="#1e2129", node="#2b303b",
                    forward="#56d364", backward="#ff7b72", accent="#79c0ff"),
}


@dataclass(frozen=True)
class Figure:
    """One figure: alt text, caption and its SVG per colour scheme."""

    name: str
    alt: str
    caption: str
    svg: dict[str, str]


# ---------------------------------------------------------------------------------------
# Numbers


_TIMES = re.compile(r"^(-?[\d.]+) \\times 10\^\{(-?\d+)\}$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain(value: float, decimals: int) -> str:
    """`fmt.num` as plain text for an SVG: ``−0.1234``, ``2.534×10⁻⁵``, ``−∞``."""
    value = float(value)
    if np.isinf(value):  # ∂E/∂o_out of an underflowed softmax output; fmt refuses it
        return "−∞" if value < 0 else "∞"
    text = fmt.num(value, decimals)
    match = _TIMES.match(text)
    if match:
        text = f"{match[1]}×10{match[2].translate(_SUPERSCRIPT)}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def _sub(i: int) -> str:
    """1-based Unicode subscript index: 0 → ₁."""
    return str(i + 1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


_MARKUP = re.compile(r"_\{([^{}]*)\}")
SUB_FONT = 12            # px, a subscript (drawn at 11 px or more in the column)
SUB_DY = 3               # px, how far a subscript sits below the line


def plain_label(text: str) -> str:
    """A label without its subscript markup, as a reader reads it aloud: W_{i₂h₁} →
    Wi₂h₁ (what an SVG text's characters say, subscripts included)."""
    return _MARKUP.sub(r"\1", text)


def svg_label(text: str, size: float | None = None) -> str:
    """A label as SVG text content: `_{…}` becomes a lowered, smaller <tspan>, as the
    article writes W_{i₂h₁} or h_{in}; every piece escaped (`escape.svg_text`).
    `size`: the subscript's font size in px, where no stylesheet gives it (a chart)."""
    out, last, low = [], 0, False
    for m in _MARKUP.finditer(text):
        if m.start() > last:
            back = f' dy="{-SUB_DY}"' if low else ""
            out.append(f"<tspan{back}>{escape.svg_text(text[last:m.start()])}</tspan>"
                       if back else escape.svg_text(text[last:m.start()]))
            low = False
        down = "" if low else f' dy="{SUB_DY}"'
        style = f' style="font-size:{size}px"' if size else ""
        out.append(f'<tspan class="sub"{down}{style}>{escape.svg_text(m[1])}</tspan>')
        low, last = True, m.end()
    if last < len(text):
        rest = escape.svg_text(text[last:])
        out.append(f'<tspan dy="{-SUB_DY}">{rest}</tspan>' if low else rest)
    return "".join(out)


# ---------------------------------------------------------------------------------------
# The network diagram (hand-written SVG: every position is ours to control)

FONT = 13                # px, every text of the diagram (≥ 11 px once scaled to the column)
CHAR_W = 0.6 * FONT      # advance width of a digit in a sans-serif font, with a margin
LINE = FONT + 4          # line height inside a node box
PAD = 7                  # inside a node box
LABEL_GAP = 3            # minimum free space between two stacked edge labels


@dataclass(frozen=True)
class _Node:
    title: str
    lines: list[tuple[str, str, str]]   # (label, number, key) rows inside the box
    below: tuple[str, str, str] | None = None   # (label, number, key) under the box


def text_width(text: str) -> float:
    """Estimated width of `text` at FONT size, subscripts at SUB_FONT (used for layout
    and by the tests)."""
    subs = "".join(_MARKUP.findall(text))
    return (len(plain_label(text)) - len(subs)) * CHAR_W + len(subs) * CHAR_W * SUB_FONT / FONT


def _network_svg(s: Step, view: str, d: int, pal: Palette) -> tuple[str, dict]:
    """The graph with forward values (view "network") or gradients (view "gradients").

    Node values are the first example's; edges (weights or their gradients) belong to
    the whole batch. Edge labels sit at a fraction t = 1/(n_target + 1) of the way from
    the source, which puts the n_source · n_target labels of a layer at distinct,
    evenly spaced heights: no two overlap, however many there are (up to 8-8-8).
    """
    f, b, p = s.forward, s.backward, s.params
    n = lambda v: plain(v, d)  # noqa: E731

    def row(label: str, group: str, name: str, *idx: int) -> tuple[str, str, str]:
        """A labelled number and its key: the path of the value in the engine's
        `python -m backprop_core trace --json` output, e.g. ``forward.h_in.0.1``."""
        source = {"forward": f, "backward": b, "params": p, "gradients": s.grads}
        value = getattr(source[group], name) if group in source else getattr(s, name)
        key = ".".join([group, name] if group in source else [name])
        return label, n(value[idx]), ".".join([key, *map(str, idx)])
    act = s.network.hidden_activation
    softmax = s.network.output == "softmax_cross_entropy"
    n_in, n_h, n_out = s.x.shape[1], p.W_ih.shape[1], p.W_ho.shape[1]
    grads = view == "gradients"

    cols: list[list[_Node]] = [
        [_Node(f"x{_sub(i)}", [row("x", "", "x", 0, i)]) for i in range(n_in)],
        [_Node(f"h{_sub(j)}",
               [row("∂h_{in}", "backward", "dE_dh_in", 0, j),
                row("∂h_{out}", "backward", "dE_dh_out", 0, j)] if grads else
               [row("h_{in}", "forward", "h_in", 0, j), row("h_{out}", "forward", "h_out", 0, j)],
               row("∂b", "gradients", "b_h", j) if grads else row("b", "params", "b_h", j))
         for j in range(n_h)],
        [_Node(f"o{_sub(k)}",
               [row("∂o_{in}", "backward", "dE_do_in", 0, k),
                row("∂o_{out}", "backward", "dE_do_out", 0, k)] if grads else
               [row("o_{in}", "forward", "o_in", 0, k), row("o_{out}", "forward", "o_out", 0, k),
                row("y", "", "y", 0, k)],
               row("∂b", "gradients", "b_o", k) if grads else row("b", "params", "b_o", k))
         for k in range(n_out)],
        [_Node("E", [("E", n(f.loss), "loss")] + ([("∂E", n(1.0), "")] if grads else []))],
    ]
    group, weights = ("gradients", [s.grads.W_ih, s.grads.W_ho]) if grads else \
        ("params", [p.W_ih, p.W_ho])
    edge_text = [[[row("", group, w_name, a, c) for c in range(w.shape[1])]
                  for a in range(w.shape[0])]
                 for w_name, w in zip(("W_ih", "W_ho"), weights)]
    # Each edge label names its weight as the article does, W_{i₂h₁}: its two ends, so
    # a label can be read without following the line, also where lines cross.
    ends = [("i", "h"), ("h", "o")]
    edge_names = [[[f"W_{{{ends[layer][0]}{_sub(a)}{ends[layer][1]}{_sub(c)}}}"
                    for c in range(w.shape[1])] for a in range(w.shape[0])]
                  for layer, w in enumerate(weights)]
    heads = ["inputs",
             f"hidden ({act})", "outputs (softmax)" if softmax else "outputs (sigmoid)",
             "loss"]

    # -- sizes ---------------------------------------------------------------------------
    num_w = max(text_width(t) for col in cols for node in col for _, t, _ in node.lines)
    lab_w = max(text_width(lab) for col in cols for node in col for lab, _, _ in node.lines)
    box_w = max(PAD + lab_w + 2 * CHAR_W + num_w + PAD,
                max(text_width(f"{nd.below[0]} {nd.below[1]}") for col in cols for nd in col
                    if nd.below) + 2 * PAD)
    box_h = [LINE * (1 + max(len(node.lines) for node in col)) + PAD for col in cols]
    below_h = LINE
    name_w = max(text_width(t) for layer in edge_names for r in layer for t in r)
    num_w_edge = max(text_width(e[1]) for layer in edge_text for r in layer for e in r)
    # Small layers stack an edge's name over its number (a narrow label keeps the whole
    # diagram narrow enough for its text to stay legible in the article column); wide
    # ones put them side by side, so that the diagram does not grow too tall.
    stacked = max(n_in, n_h, n_out) <= 3
    edge_w = (max(name_w, num_w_edge) if stacked else name_w + CHAR_W + num_w_edge) + 6
    label_h = 2 * FONT + 2 if stacked else FONT
    n_max = max(n_in, n_h, n_out)
    # Edge labels of a layer are s / (n_target + 1) apart vertically.
    spacing = max(max(box_h) + below_h + 14,
                  max(n_h, n_out) and (label_h + LABEL_GAP) * (max(n_h, n_out) + 1))
    # ...and t · gap from the source box: far enough for the label to clear it.
    gaps = [max(84.0, (n_tgt + 1) * (edge_w / 2 + 3)) for n_tgt in (n_h, n_out)]
    gaps.append(40.0)
    top = 2 * LINE + 8
    legend_lines = 3 if s.x.shape[0] > 1 else 2
    height = top + n_max * spacing + legend_lines * LINE + 4
    xs = [12.0]
    for g in gaps:
        xs.append(xs[-1] + box_w + g)
    # a column head wider than its box must still fit on the canvas
    head_over = max(0.0, (text_width(heads[-1]) - box_w) / 2)
    width = xs[-1] + box_w + head_over + 12

    def centre_y(col: int, i: int) -> float:
        count = len(cols[col])
        return top + (n_max - count) * spacing / 2 + (i + 0.5) * spacing

    # -- drawing ---------------------------------------------------------------------------
    out: list[str] = []
    labels: list[dict] = []   # every text's geometry, for the layout tests

    def text(x: float, y: float, content: str, cls: str, anchor: str = "start",
             key: str = "") -> None:
        data = f' data-key="{key}"' if key else ""
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}"{data}>'
                   f"{svg_label(content)}</text>")
        w = text_width(content)
        left = x - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
        labels.append({"text": plain_label(content), "x0": left, "x1": left + w,
                       "y0": y - FONT * 0.8, "y1": y + FONT * 0.25})

    value_cls = "bwd" if grads else "fwd"
    # edges first, so labels and boxes sit on top
    edge_labels = []
    for layer, (src, tgt) in enumerate(((0, 1), (1, 2))):
        w = weights[layer]
        big = float(np.abs(w).max()) or 1.0
        n_tgt = len(cols[tgt])
        t = 1.0 / (n_tgt + 1)
        x0, x1 = xs[src] + box_w, xs[tgt]
        for a in range(len(cols[src])):
            for c in range(n_tgt):
                y0, y1 = centre_y(src, a), centre_y(tgt, c)
                stroke = 0.6 + 2.4 * abs(float(w[a, c])) / big
                out.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
                           f'class="edge" stroke-width="{stroke:.2f}"/>')
                edge_labels.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0),
                                    edge_text[layer][a][c], edge_names[layer][a][c]))
    x0 = xs[2] + box_w
    for k in range(n_out):
        out.append(f'<line x1="{x0:.1f}" y1="{centre_y(2, k):.1f}" x2="{xs[3]:.1f}" '
                   f'y2="{centre_y(3, 0):.1f}" class="edge" stroke-width="0.8"/>')
    for x, y, (_, content, key), name in edge_labels:
        # the edge's name and its number, centred on the label's point of the edge
        nw, vw = text_width(name), text_width(content)
        if stacked:
            w = max(nw, vw) + 4
            out.append(f'<rect x="{x - w / 2:.1f}" y="{y - FONT - 1:.1f}" width="{w:.1f}" '
                       f'height="{2 * FONT + 4}" class="mask"/>')
            text(x, y - 4, name, "edge-name muted", "middle")  # its subscript clears the number
            text(x, y + FONT - 1, content, "edge-num " + value_cls, "middle", key)
            continue
        w = nw + CHAR_W / 2 + vw + 4
        left = x - w / 2 + 2
        out.append(f'<rect x="{x - w / 2:.1f}" y="{y - FONT / 2 - 1:.1f}" width="{w:.1f}" '
                   f'height="{FONT + 2}" class="mask"/>')
        text(left, y + FONT * 0.35, name, "edge-name muted")
        text(left + nw + CHAR_W / 2, y + FONT * 0.35, content, "edge-num " + value_cls,
             "start", key)

    for c, col in enumerate(cols):
        text(xs[c] + box_w / 2, LINE, heads[c], "head", "middle")
        for i, node in enumerate(col):
            cy = centre_y(c, i)
            h = LINE * (1 + len(node.lines)) + PAD
            y = cy - h / 2
            out.append(f'<rect x="{xs[c]:.1f}" y="{y:.1f}" width="{box_w:.1f}" '
                       f'height="{h:.1f}" rx="6" class="node"/>')
            text(xs[c] + PAD, y + LINE, node.title, "title")
            for r, (lab, val, key) in enumerate(node.lines):
                ly = y + LINE * (r + 2)
                text(xs[c] + PAD, ly, lab, "label")
                # the loss is a value, never drawn in the gradients' colour
                cls = ("muted" if (grads and c == 0) or lab == "y" else
                       "loss" if key == "loss" else value_cls)
                text(xs[c] + box_w - PAD, ly, val, "num " + cls, "end", key)
            if node.below:
                lab, val, key = node.below
                # two texts, so that the number stands alone in its node (for the tests)
                mid, by = xs[c] + box_w / 2, y + h + LINE - 2
                gap = CHAR_W / 2
                text(mid - gap, by, lab, "bias", "end")
                # a bias gradient in the gradients' colour, as the legend says; a bias
                # value grey, as the forward legend says
                text(mid + gap, by, val, "num " + (value_cls if grads else "bias"), "start", key)

    note = ("node values: example 1 of {m}; edge values: the whole batch"
            .format(m=s.x.shape[0]) if s.x.shape[0] > 1 else "")
    # A legend for the colours and for the line thickness.
    if grads:
        colour = "red: gradients ∂E/∂· of node inputs (∂h_{in}), outputs (∂h_{out}), weights, biases"
        thick = "line thickness: |∂E/∂W|, thickest = largest in its layer; W_{i₂h₁}: from x₂ to h₁"
    else:
        colour = "green: values of the forward pass and weights; grey: targets y, biases b"
        thick = "line thickness: |weight|, thickest = largest in its layer; W_{i₂h₁}: from x₂ to h₁"
    legend = [colour, thick] + ([note] if note else [])
    for r, line in enumerate(legend):
        text(12, height - 4 - LINE * (len(legend) - 1 - r), line,
             ("bwd" if grads else "fwd") if r == 0 else "muted")

    style = (f"text{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
             f"font-size:{FONT}px;fill:{pal.fg};font-variant-numeric:tabular-nums}}"
             f".head{{font-weight:600}}.title{{font-weight:600}}.sub{{font-size:{SUB_FONT}px}}"
             f".label,.muted,.bias{{fill:{pal.muted}}}"
             f".fwd{{fill:{pal.forward}}}.bwd{{fill:{pal.backward}}}.loss{{fill:{pal.fg}}}"
             f".edge{{stroke:{pal.muted};stroke-opacity:0.75}}.mask{{fill:{pal.bg};opacity:0.9}}"
             f".node{{fill:{pal.node};stroke:{pal.muted}}}")
    title = "Gradients of the network" if grads else "The network"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="img">'
           f"<title>{title}</title><style>{style}</style>" + "".join(out) + "</svg>\n")
    return svg, {"width": width, "height": height, "labels": labels}


# ---------------------------------------------------------------------------------------
# Charts (matplotlib, SVG backend, text kept as <text>)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _rc(pal: Palette) -> dict:
    return {
        "svg.fonttype": "none",          # text stays text: searchable, selectable
        "svg.hashsalt": "backprop",      # stable ids: same input, same bytes
        "font.family": "sans-serif",
        "font.size": 11,
        "text.color": pal.fg, "axes.labelcolor": pal.fg, "axes.edgecolor": pal.muted,
        "xtick.color": pal.muted, "ytick.color": pal.muted,
        "xtick.labelcolor": pal.fg, "ytick.labelcolor": pal.fg,
        "axes.facecolor": "none", "figure.facecolor": "none",
        "savefig.facecolor": "none", "savefig.transparent": True,
        "grid.color": pal.muted, "grid.alpha": 0.3,
        "axes.spines.top": False, "axes.spines.right": False,
    }


_MARKED_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*_\{[^<]*)(</text>)")


def _save(fig, title: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Title": title})
    _pyplot().close(fig)
    # the article's subscripts (h_{in}, W_{ho}) as lowered <tspan>s, at the chart's size
    return _MARKED_TEXT.sub(lambda m: m[1] + svg_label(html_lib.unescape(m[2]), size=11)
                            + m[3], buf.getvalue())


def _loss_svg(example: Example, s: Step, losses: np.ndarray, pal: Palette) -> str:
    plt = _pyplot()
    d = example.decimals
    steps = len(losses) - 1
    with plt.rc_context(_rc(pal)):
        fig, ax = plt.subplots(figsize=(7.0, 3.6))
        ax.plot(np.arange(steps + 1), losses, color=pal.accent, lw=1.8)
        ax.plot([0, 1], [s.loss, s.loss_after], "o", color=pal.fg, ms=6, zorder=3)
        ax.plot([steps], [losses[-1]], "o", color=pal.accent, ms=5, zorder=3)
        ax.annotate(f"this page's step: E {plain(s.loss, d)} → {plain(s.loss_after, d)}",
                    xy=(1, s.loss_after), xytext=(0.18, 0.55), textcoords="axes fraction",
                    color=pal.fg, arrowprops={"arrowstyle": "->", "color": pal.fg})
        ax.annotate(f"after {steps} steps: E {plain(losses[-1], d)}",
                    xy=(steps, losses[-1]), xytext=(0.98, 0.8), textcoords="axes fraction",
                    ha="right", color=pal.fg,
                    arrowprops={"arrowstyle": "->", "color": pal.muted})
        ax.set_xlabel("gradient-descent steps")
        ax.set_ylabel("loss E")
        ax.set_xlim(-steps * 0.02, steps * 1.02)
        ax.grid(True)
        ax.set_title(f"Loss over {steps} steps, learning rate η = {plain(s.learning_rate, d)}",
                     loc="left", fontsize=11)
        return _save(fig, "Loss over a training run")


_ACTS = ("sigmoid", "relu", "tanh")
_ACT_LABEL = {"sigmoid": "sigmoid", "relu": "ReLU", "tanh": "tanh"}


def _layer_gradients(example: Example) -> dict[str, tuple[float, float]]:
    """Mean |∂E/∂W| of (hidden→output, input→hidden) for each hidden activation."""
    out = {}
    for act in _ACTS:
        net = Network(act, example.network.output, example.network.update_biases)
        g = step(net, example.params, example.x, example.y, example.learning_rate).grads
        out[act] = (float(np.abs(g.W_ho).mean()), float(np.abs(g.W_ih).mean()))
    return out


def _vanishing_svg(example: Example, s: Step, layers: dict[str, tuple[float, float]],
                   pal: Palette) -> str:
    from backprop_core import sigmoid

    plt = _pyplot()
    d = example.decimals
    h_in = s.forward.h_in.ravel()
    with plt.rc_context(_rc(pal)):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.0, 4.2),
                                       gridspec_kw={"width_ratios": [1.1, 1]})
        reach = max(6.0, float(np.abs(h_in).max()) + 1.0)
        z = np.linspace(-reach, reach, 401)
        sz = sigmoid(z)
        ax1.plot(z, sz * (1 - sz), color=pal.accent, lw=1.8)
        ax1.axhline(0.25, color=pal.muted, ls="--", lw=0.8)
        ax1.text(-reach, 0.255, "largest possible: 0.25", color=pal.muted, va="bottom",
                 fontsize=10)
        sh = sigmoid(h_in)
        ax1.plot(h_in, sh * (1 - sh), "o", color=pal.backward, ms=5, zorder=3)
        if len(h_in) <= 4:
            m, n_h = s.forward.h_in.shape
            for idx, (zi, gi) in enumerate(zip(h_in, sh * (1 - sh))):
                e, j = divmod(idx, n_h)
                name = f"h{_sub(j)}" + (f" (ex. {e + 1})" if m > 1 else "")
                ax1.annotate(f"{name}: σ′({plain(zi, d)}) = {plain(gi, d)}", xy=(zi, gi),
                             xytext=(6, -14 - 12 * idx), textcoords="offset points",
                             color=pal.backward, fontsize=10)
        ax1.set_xlabel("h_{in}")
        ax1.set_ylabel("σ′(h_{in})")
        ax1.set_ylim(0, 0.3)
        ax1.set_title("sigmoid′ at this example's h_{in}", loc="left", fontsize=11)

        x = np.arange(2)
        width = 0.26
        colours = {"sigmoid": pal.backward, "relu": pal.forward, "tanh": pal.accent}
        values = [v for pair in layers.values() for v in pair if v > 0]
        for i, act in enumerate(_ACTS):
            vals = layers[act]
            bars = ax2.bar(x + (i - 1) * width, vals, width, color=colours[act],
                           label=_ACT_LABEL[act] + (" (this example)" if
                                                    act == s.network.hidden_activation else ""))
            for bar, v in zip(bars, vals):
                ax2.text(bar.get_x() + bar.get_width() / 2, max(v, min(values) if values else 1),
                         plain(v, d), ha="center", va="bottom", fontsize=10, rotation=90)
        ax2.set_xticks(x, ["hidden→output\nW_{ho}", "input→hidden\nW_{ih}"])
        if values:
            from matplotlib.ticker import FuncFormatter, NullFormatter

            ax2.set_yscale("log")
            ax2.set_ylim(min(values) / 3, max(values) * 100)  # room for the legend
            # powers of ten as plain text (10⁻³): mathtext would set the exponent small
            ax2.yaxis.set_major_formatter(FuncFormatter(
                lambda v, _: "10" + str(int(round(np.log10(v)))).translate(_SUPERSCRIPT)))
            ax2.yaxis.set_minor_formatter(NullFormatter())
        ax2.set_ylabel("mean |∂E/∂W|")
        ax2.legend(frameon=False, fontsize=10, loc="upper right")
        ax2.set_title("weight-gradient size per layer", loc="left", fontsize=11)
        fig.tight_layout()
        return _save(fig, "Vanishing gradients")


# ---------------------------------------------------------------------------------------
# All figures of one example


def describe(example: Example) -> dict[str, tuple[str, str]]:
    """Each figure's alternative text and caption, without drawing anything."""
    s, run, layers = _inputs(example)
    return _texts(example, s, run.losses, layers)


def _inputs(example: Example):
    """What the figures show: the step, a training run, each activation's gradients."""
    s = example.step()
    run = train(example.network, example.params, example.x, example.y,
                example.learning_rate, example.train_steps)
    return s, run, _layer_gradients(example)


def _texts(example: Example, s: Step, losses: np.ndarray,
           layers: dict[str, tuple[float, float]]) -> dict[str, tuple[str, str]]:
    d = example.decimals
    sizes = example.sizes
    n_in, n_h, n_out, m = sizes["n_in"], sizes["n_hidden"], sizes["n_out"], sizes["m"]
    act = s.network.hidden_activation
    first = " (node values for the first of the {m} examples)".format(m=m) if m > 1 else ""

    shape = f"{n_in} inputs, {n_h} hidden units ({_ACT_LABEL[act]}), {n_out} outputs"
    h_out = ", ".join(plain(v, d) for v in s.forward.h_out[0])
    o_out = ", ".join(plain(v, d) for v in s.forward.o_out[0])
    alts = {
        "network": (f"The network as a graph: {shape}, every connection drawn. Each node "
                    f"shows its input and output values{first}, each edge its weight and each "
                    f"unit its bias. h_out = {h_out}; o_out = {o_out}; "
                    f"loss E = {plain(s.loss, d)}."),
        "gradients": (f"The same graph carrying the gradients: each node shows ∂E/∂ of its "
                      f"input and output{first}, each edge ∂E/∂ of its weight. The weight gradient "
                      f"largest in size is "
                      f"{plain(_largest(s.grads.W_ho, s.grads.W_ih), d)}."),
        "loss": (f"Line chart of the loss over {example.train_steps} gradient-descent steps "
                 f"at learning rate {plain(example.learning_rate, d)}: from "
                 f"{plain(losses[0], d)} to {plain(losses[-1], d)}. The first step, "
                 f"the one this article works through, is marked: "
                 f"{plain(s.loss, d)} to {plain(s.loss_after, d)}."),
        "vanishing": ("Left: the sigmoid's derivative over its input, never above 0.25, with "
                      "this example's h_in marked at "
                      + ", ".join(plain(v, d) for v in s.forward.h_in.ravel())
                      + ". Right: mean absolute weight gradient per layer for sigmoid, ReLU "
                      "and tanh hidden layers on this example: "
                      + "; ".join(f"{_ACT_LABEL[a]} {plain(ho, d)} (W_ho) and "
                                  f"{plain(ih, d)} (W_ih)" for a, (ho, ih) in layers.items())
                      + "."),
    }
    captions = {
        "network": "The forward pass: values on the nodes, weights on the edges.",
        "gradients": "The backward pass on the same graph: gradients on the nodes and edges.",
        "loss": f"The loss over {example.train_steps} steps of gradient descent.",
        "vanishing": "Why sigmoid gradients shrink: sigmoid′ ≤ 0.25 at every layer.",
    }
    return {name: (alts[name], captions[name]) for name in FIGURES}


def render(example: Example, draw_once: bool = True) -> dict[str, Figure]:
    """Every figure of `example`, light and dark. Pure: no files, no cache.

    With `draw_once` (the default) each matplotlib chart is drawn once, in the light
    palette, and its dark variant is that SVG recoloured (`recolour`): drawing is most
    of a chart's cost, and the two drawings differ only in colour. Without it each
    scheme is drawn on its own, as before; tests/test_figures.py holds the two to the
    same content.
    """
    s, run, layers = _inputs(example)
    d = example.decimals
    texts = _texts(example, s, run.losses, layers)
    svgs: dict[str, dict[str, str]] = {name: {} for name in FIGURES}
    charts = {"loss": lambda pal: _loss_svg(example, s, run.losses, pal),
              "vanishing": lambda pal: _vanishing_svg(example, s, layers, pal)}
    for scheme in SCHEMES:
        pal = PALETTES[scheme]
        svgs["network"][scheme] = _network_svg(s, "network", d, pal)[0]
        svgs["gradients"][scheme] = _network_svg(s, "gradients", d, pal)[0]
        for name, draw in charts.items():
            if draw_once and scheme != SCHEMES[0]:
                svgs[name][scheme] = recolour(svgs[name][SCHEMES[0]],
                                              PALETTES[SCHEMES[0]], pal)
            else:
                svgs[name][scheme] = draw(pal)
    return {name: Figure(name, *texts[name], svgs[name]) for name in FIGURES}


_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def recolour(svg: str, source: Palette, target: Palette) -> str:
    """A chart drawn in `source`'s colours, in `target`'s: every palette colour swapped.

    The result is the chart as drawn in `target`'s colours, except for the names of
    matplotlib's marker definitions (it names each by a hash that covers its colour):
    those keep their `source` names, which nothing outside the file refers to.
    """
    swap = {getattr(source, f).lower(): getattr(target, f)
            for f in Palette.__dataclass_fields__}
    if len(swap) != len(Palette.__dataclass_fields__):
        raise ValueError(f"recolour: expected distinct colours in {source}; found repeats")
    return _HEX.sub(lambda m: swap.get(m.group().lower(), m.group()), svg)


def _largest(*arrays: np.ndarray) -> float:
    flat = np.concatenate([np.ravel(a) for a in arrays])
    return float(flat[np.argmax(np.abs(flat))])


# ---------------------------------------------------------------------------------------
# Cache and files


@dataclass(frozen=True)
class Built:
    """Figures on disk: `folder` holds ``<name>-<scheme>.svg`` and ``figures.json``.

    `texts` (alt text and caption per figure) is there at once; `figures` waits for a
    drawing still running in the background (`build(..., background=True)`) and
    raises what it raised.
    """

    key: str
    folder: Path
    texts: dict[str, tuple[str, str]]
    drawing: Future

    @property
    def figures(self) -> dict[str, Figure]:
        return self.drawing.result()

    def path(self, name: str, scheme: str) -> Path:
        return self.folder / f"{name}-{scheme}.svg"


# Every drawing runs here, one at a time: pyplot's state (rcParams, the current figure)
# is global, so a foreground drawing must not interleave with a background one.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="figures")


def _code_version() -> bytes:
    """Everything besides the example that decides what the figures look like."""
    from importlib.metadata import version  # not `import matplotlib`: a hit stays fast

    parts = [Path(__file__).read_bytes(), Path(fmt.__file__).read_bytes(),
             version("matplotlib").encode()]
    parts += [p.read_bytes() for p in sorted(_ENGINE.glob("*.py"))]
    return b"\0".join(parts)


def cache_key(example_bytes: bytes) -> str:
    """Hash of the example's content and the figure code version."""
    h = hashlib.sha256()
    h.update(example_bytes)
    h.update(b"\0code\0")
    h.update(_code_version())
    return h.hexdigest()[:20]


def build(example_path: str | Path, cache_dir: str | Path = DEFAULT_CACHE,
          background: bool = False, draw_once: bool = True) -> Built:
    """The figures of an example file, drawn only if this content was never drawn before.

    With `background`, a drawing runs in a worker thread and this returns at once
    with the alt texts and captions: the build renders its pages meanwhile (and runs
    the notebook, whose kernel waits are the drawing's chance at the CPU), and waits
    for the drawing only where it needs the SVGs (`install`).

    Raises ExampleError (from the engine) for a malformed example.
    """
    example_path = Path(example_path)
    content = example_path.read_bytes() if example_path.is_file() else b""
    example = load_example(example_path)  # reports a missing or malformed file
    key = cache_key(content)
    folder = Path(cache_dir) / key
    meta = folder / "figures.json"
    done: Future = Future()
    if meta.is_file():
        data = json.loads(meta.read_text(encoding="utf-8"))
        figs = {name: Figure(name, data[name]["alt"], data[name]["caption"],
                             {sc: (folder / f"{name}-{sc}.svg").read_text(encoding="utf-8")
                              for sc in SCHEMES})
                for name in FIGURES}
        os.utime(meta)  # most recently used, for pruning
        done.set_result(figs)
        return Built(key, folder, {n: (f.alt, f.caption) for n, f in figs.items()}, done)

    drawing = _DRAWER.submit(_draw, example, folder, Path(cache_dir), draw_once)
    if background:
        return Built(key, folder, describe(example), drawing)
    figs = drawing.result()
    return Built(key, folder, {n: (f.alt, f.caption) for n, f in figs.items()}, drawing)


def _draw(example: Example, folder: Path, cache_dir: Path,
          draw_once: bool = True) -> dict[str, Figure]:
    """Draw the figures and store them as the cache entry `folder`."""
    figs = render(example) if draw_once else render(example, draw_once=False)
    key = folder.name
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Written to a temporary folder and renamed: a build never sees half a cache entry.
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{key}-"))
    for name, fig in figs.items():
        for scheme, svg in fig.svg.items():
            (tmp / f"{name}-{scheme}.svg").write_text(svg, encoding="utf-8")
    (tmp / "figures.json").write_text(json.dumps(
        {name: {"alt": fig.alt, "caption": fig.caption} for name, fig in figs.items()},
        ensure_ascii=False, indent=1), encoding="utf-8")
    try:
        tmp.rename(folder)
    except OSError:  # another build wrote the same entry meanwhile: same content
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(cache_dir)
    return figs


def _prune(cache_dir: Path) -> None:
    entries = sorted((p for p in cache_dir.iterdir() if (p / "figures.json").is_file()),
                     key=lambda p: (p / "figures.json").stat().st_mtime, reverse=True)
    for old in entries[KEEP_CACHE_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)


def install(built: Built, site_dir: str | Path) -> list[Path]:
    """Copy the figure files into ``<site_dir>/figures/``; returns the written paths."""
    target = Path(site_dir) / SITE_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    written = []
    # Written from memory, not copied from the cache folder: a concurrent build may
    # prune that folder between this build's lookup and its install.
    for name, fig in built.figures.items():
        for scheme, svg in fig.svg.items():
            out = target / f"{name}-{scheme}.svg"
            out.write_text(svg, encoding="utf-8")
            written.append(out)
    return written


#: The smallest text a figure may be drawn with on any screen, in CSS px.
MIN_TEXT_PX = 11.0

_SVG_FONT = re.compile(r"font-size:\s*([\d.]+)px|font:\s*(?:[a-z]+\s+)*([\d.]+)px"
                       r'|font-size="([\d.]+)')
_VIEWBOX = re.compile(r'<svg[^>]*\sviewBox="[\d.]+ [\d.]+ ([\d.]+) [\d.]+"')


def readable_width(svg: str) -> float:
    """The narrowest CSS width (px) at which the SVG's smallest text is MIN_TEXT_PX.

    Font sizes are in the SVG's own units, like its viewBox, so the ratio of the two is
    what the page's scale multiplies: width · MIN_TEXT_PX / smallest font.
    """
    sizes = [float(next(g for g in m if g)) for m in _SVG_FONT.findall(svg)]
    box = _VIEWBOX.search(svg)
    if not sizes or not box:
        raise ValueError("figure SVG: expected a viewBox and font sizes; found "
                         f"{'no font size' if not sizes else 'no viewBox'}")
    return float(box[1]) * MIN_TEXT_PX / min(sizes)


def html(built: Built, name: str, page_url: str) -> str:
    """The ``<figure>`` for a page at `page_url` (MkDocs' ``page.url``, e.g. ``forward/``).

    Two images, one per colour scheme; the one not in use is hidden by Material's
    ``#only-light`` / ``#only-dark`` rules. The network diagrams link to their light
    variant at full size, which matters for the larger networks.

    The images never shrink below `readable_width` (text at least MIN_TEXT_PX): on a
    column narrower than that (a phone) the figure scrolls sideways inside its own
    box, which takes keyboard focus so that it can be scrolled without a pointer.
    """
    if name not in built.texts:
        raise KeyError(f"figure: expected one of {', '.join(FIGURES)}; got {name!r}")
    alt_text, caption_text = built.texts[name]
    up = "../" * page_url.count("/")
    alt = escape.html_text(alt_text)
    imgs = "".join(f'<img src="{up}{SITE_FOLDER}/{name}-{scheme}.svg#only-{scheme}" '
                   f'alt="{alt}">' for scheme in SCHEMES)
    caption = caption_only = escape.html_text(caption_text)
    if name in ("network", "gradients"):
        caption += (f' <a href="{up}{SITE_FOLDER}/{name}-light.svg">'
                    f"Open the diagram at full size.</a>")
    # The one place a page waits for a drawing still running in the background.
    width = max(readable_width(svg) for svg in built.figures[name].svg.values())
    return (f'<figure class="bp-figure" id="figure-{name}">'
            f'<div class="bp-figure-scroll" tabindex="0" role="group" '
            f'aria-label="{caption_only} (scrolls sideways on a narrow screen)" '
            f'style="--bp-readable: {math.ceil(width)}px">{imgs}</div>'
            f"<figcaption>{caption}</figcaption></figure>")
