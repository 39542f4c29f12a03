"""The figures: drawn from each example the site builds, carrying that example's numbers.

Numbers in the SVGs are compared with the engine's own output, `python -m backprop_core
trace FILE --json` (and `backprop_core.train` for the training run), read back from the
SVG text: a figure passes only if each number it shows is the engine's value correctly
rounded to the digits shown. Also: a changed example changes the figures, an unchanged
one is not drawn again, and the network diagram's texts never overlap, up to 8-8-8.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inprocess import shared_scope  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import figures  # noqa: E402
from backprop_core import Network, load_example, step, train  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = ["default", "batch-3-4-3", "relu", "mazur-2015"]


# ---------------------------------------------------------------------------------------
# Helpers


def trace(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "backprop_core", "trace", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_NUMBER = re.compile(r"^[−-]?\d+(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?$")


def parse(text: str) -> tuple[float, float]:
    """A shown number and half a unit in its last digit: '−0.1235' → (−0.1235, 5e-5)."""
    text = text.strip().replace("−", "-")
    mantissa, _, exponent = text.partition("×10")
    exp = int(exponent.translate(_SUP)) if exponent else 0
    places = len(mantissa.partition(".")[2])
    return float(mantissa) * 10.0 ** exp, 0.5 * 10.0 ** (exp - places)


def assert_shows(text: str, value: float, decimals: int, what: str) -> None:
    """`text` is `value` correctly rounded, at the display precision or better."""
    shown, half_ulp = parse(text)
    assert abs(shown - value) <= half_ulp * (1 + 1e-9) + 1e-15, \
        f"{what}: shows {text}, the engine says {value!r}"
    # fewer digits than `decimals` only when the value is exact at fewer digits
    if half_ulp > 0.5 * 10.0 ** -decimals:
        assert abs(shown - value) < 1e-12 * max(1.0, abs(value)), \
            f"{what}: shows {text}, fewer than {decimals} decimals for {value!r}"


def lookup(data: dict, key: str):
    node = data
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def svg_texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def full_text(el: ET.Element) -> str:
    return "".join(el.itertext())


def texts_of(svg: str) -> list[str]:
    return [full_text(t) for t in svg_texts(svg)]


def numbers_in(text: str) -> list[str]:
    return re.findall(r"[−-]?\d+(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?", text)


# ---------------------------------------------------------------------------------------
# Fixtures: figures of every example the site builds, drawn once into a temporary cache


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("figure-cache")


@pytest.fixture(scope=shared_scope, params=EXAMPLES)
def case(request, cache):
    path = ROOT / "examples" / f"{request.param}.toml"
    built = figures.build(path, cache)
    return request.param, path, built, trace(path), load_example(path)


# ---------------------------------------------------------------------------------------
# Every example: files, alt text, numbers


def test_every_figure_exists_as_svg_in_both_schemes(case):
    name, _, built, _, _ = case
    for fig in figures.FIGURES:
        for scheme in figures.SCHEMES:
            path = built.path(fig, scheme)
            assert path.is_file(), f"{name}: {path.name} missing"
            root = ET.fromstring(path.read_text(encoding="utf-8"))
            assert root.tag == f"{SVG}svg"
            assert float(root.get("width").rstrip("pt")) > 0
        assert len(built.figures[fig].alt) > 40, f"{name}/{fig}: alt text too thin"


def test_network_diagram_shows_every_node_edge_and_bias_as_the_engine_computes(case):
    name, _, built, tr, ex = case
    d = ex.decimals
    sz = tr["sizes"]
    svg = built.path("network", "light").read_text(encoding="utf-8")
    keyed = {t.get("data-key"): full_text(t) for t in svg_texts(svg) if t.get("data-key")}
    expected = {"loss"}
    expected |= {f"x.0.{i}" for i in range(sz["n_in"])}
    expected |= {f"forward.{v}.0.{j}" for v in ("h_in", "h_out") for j in range(sz["n_hidden"])}
    expected |= {f"forward.{v}.0.{k}" for v in ("o_in", "o_out") for k in range(sz["n_out"])}
    expected |= {f"y.0.{k}" for k in range(sz["n_out"])}
    expected |= {f"params.W_ih.{i}.{j}" for i in range(sz["n_in"]) for j in range(sz["n_hidden"])}
    expected |= {f"params.W_ho.{j}.{k}" for j in range(sz["n_hidden"]) for k in range(sz["n_out"])}
    expected |= {f"params.b_h.{j}" for j in range(sz["n_hidden"])}
    expected |= {f"params.b_o.{k}" for k in range(sz["n_out"])}
    assert set(keyed) == expected, f"{name}: missing {expected - set(keyed)}, " \
                                   f"unexpected {set(keyed) - expected}"
    for key, text in keyed.items():
        assert_shows(text, lookup(tr, key), d, f"{name} network {key}")


def test_gradient_diagram_shows_every_gradient_as_the_engine_computes(case):
    name, _, built, tr, ex = case
    sz = tr["sizes"]
    svg = built.path("gradients", "dark").read_text(encoding="utf-8")
    keyed = {t.get("data-key"): full_text(t) for t in svg_texts(svg) if t.get("data-key")}
    expected = {"loss"} | {f"x.0.{i}" for i in range(sz["n_in"])}
    expected |= {f"backward.{v}.0.{j}" for v in ("dE_dh_in", "dE_dh_out")
                 for j in range(sz["n_hidden"])}
    expected |= {f"backward.{v}.0.{k}" for v in ("dE_do_in", "dE_do_out")
                 for k in range(sz["n_out"])}
    expected |= {f"gradients.W_ih.{i}.{j}" for i in range(sz["n_in"])
                 for j in range(sz["n_hidden"])}
    expected |= {f"gradients.W_ho.{j}.{k}" for j in range(sz["n_hidden"])
                 for k in range(sz["n_out"])}
    expected |= {f"gradients.b_h.{j}" for j in range(sz["n_hidden"])}
    expected |= {f"gradients.b_o.{k}" for k in range(sz["n_out"])}
    assert set(keyed) == expected
    for key, text in keyed.items():
        assert_shows(text, lookup(tr, key), ex.decimals, f"{name} gradients {key}")


def test_loss_chart_marks_this_step_and_ends_where_training_ends(case):
    name, _, built, tr, ex = case
    run = train(ex.network, ex.params, ex.x, ex.y, ex.learning_rate, ex.train_steps)
    for scheme in figures.SCHEMES:
        texts = texts_of(built.path("loss", scheme).read_text(encoding="utf-8"))
        marked = [t for t in texts if t.startswith("this page's step")]
        assert len(marked) == 1, f"{name}: the article's step is not marked once: {texts}"
        before, after = numbers_in(marked[0])
        assert_shows(before, tr["loss"], ex.decimals, f"{name} loss before the step")
        assert_shows(after, tr["loss_after"], ex.decimals, f"{name} loss after the step")
        end = [t for t in texts if t.startswith(f"after {ex.train_steps} steps")]
        assert len(end) == 1, f"{name}: no end-of-training label in {texts}"
        assert_shows(numbers_in(end[0])[-1], run.losses[-1], ex.decimals, f"{name} final loss")
    assert numbers_in(built.figures["loss"].alt)  # the alt text carries the numbers too


def test_vanishing_chart_marks_h_in_and_shows_each_layers_gradient_size(case):
    name, _, built, tr, ex = case
    d = ex.decimals
    texts = texts_of(built.path("vanishing", "light").read_text(encoding="utf-8"))
    h_in = np.ravel(tr["forward"]["h_in"])
    marks = [t for t in texts if "σ′(" in t and "=" in t]
    if h_in.size <= 4:
        assert len(marks) == h_in.size, f"{name}: expected {h_in.size} marked h_in, got {marks}"
        for text, z in zip(marks, h_in):
            shown_z, shown_g = numbers_in(text.split(":", 1)[1])
            assert_shows(shown_z, z, d, f"{name} marked h_in")
            s = 1.0 / (1.0 + np.exp(-z))
            assert_shows(shown_g, s * (1 - s), d, f"{name} sigmoid′ at h_in")
    # Bar labels: mean |∂E/∂W| per layer, for the three activations, from the engine.
    shown = [t for t in texts if _NUMBER.match(t.strip())]
    for act in ("sigmoid", "relu", "tanh"):
        net = Network(act, tr["network"]["output"], tr["network"]["update_biases"])
        g = step(net, ex.params, ex.x, ex.y, ex.learning_rate).grads
        for layer in (g.W_ho, g.W_ih):
            value = float(np.abs(layer).mean())
            assert any(_matches(t, value, d) for t in shown), \
                f"{name}: no bar label shows {act}'s {value!r} in {shown}"
    if tr["network"]["hidden_activation"] in ("sigmoid", "tanh"):
        this = np.abs(np.asarray(tr["gradients"]["W_ih"])).mean()
        assert any(_matches(t, this, d) for t in shown)


def _matches(text: str, value: float, decimals: int) -> bool:
    try:
        assert_shows(text, value, decimals, "")
        return True
    except AssertionError:
        return False


def test_light_and_dark_show_the_same_text_in_different_colours(case):
    name, _, built, _, _ = case
    for fig in figures.FIGURES:
        light = built.path(fig, "light").read_text(encoding="utf-8")
        dark = built.path(fig, "dark").read_text(encoding="utf-8")
        assert texts_of(light) == texts_of(dark), f"{name}/{fig}"
        assert figures.PALETTES["light"].fg in light and figures.PALETTES["dark"].fg not in light
        assert figures.PALETTES["dark"].fg in dark and figures.PALETTES["light"].fg not in dark
        # transparent: no white or slate background painted behind the whole figure
        root = ET.fromstring(light)
        assert root.get("style") is None or "background" not in root.get("style")


def test_svg_text_stays_text(case):
    """svg.fonttype 'none': the charts' words are <text>, not glyph outlines."""
    _, _, built, _, _ = case
    for fig in ("loss", "vanishing"):
        svg = built.path(fig, "light").read_text(encoding="utf-8")
        assert any("loss" in t or "gradient" in t for t in texts_of(svg))
        assert "<defs>" not in svg or "glyph" not in svg


# ---------------------------------------------------------------------------------------
# Regenerated with the example; cached by content


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    src = (ROOT / "examples" / "default.toml").read_text(encoding="utf-8")
    assert old in src
    path = tmp_path / "edited.toml"
    path.write_text(src.replace(old, new, 1), encoding="utf-8")
    return path


def test_figures_change_when_the_example_changes(tmp_path, cache):
    before = figures.build(ROOT / "examples" / "default.toml", cache)
    edited = _edited(tmp_path, "W_ho = [[0.4, 0.6]", "W_ho = [[0.45, 0.6]")
    after = figures.build(edited, cache)
    assert after.key != before.key
    for fig in figures.FIGURES:
        assert after.figures[fig].svg["light"] != before.figures[fig].svg["light"], fig
    svg = after.path("network", "light").read_text(encoding="utf-8")
    keyed = {t.get("data-key"): full_text(t) for t in svg_texts(svg) if t.get("data-key")}
    assert keyed["params.W_ho.0.0"] == "0.45"
    tr = trace(edited)
    assert_shows(keyed["loss"], tr["loss"], 4, "edited loss")
    assert keyed["loss"] != {t.get("data-key"): full_text(t) for t in svg_texts(
        before.path("network", "light").read_text(encoding="utf-8"))}["loss"]


def test_unchanged_example_is_not_drawn_again(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = figures.build(ROOT / "examples" / "relu.toml", cache)
    # Same content under another name: still a cache hit, so render is never called.
    copy = tmp_path / "same.toml"
    shutil.copyfile(ROOT / "examples" / "relu.toml", copy)

    def refuse(example):
        raise AssertionError("render called for an unchanged example")

    monkeypatch.setattr(figures, "render", refuse)
    again = figures.build(copy, cache)
    assert again.key == first.key
    assert again.figures["network"].svg == first.figures["network"].svg
    assert again.figures["loss"].alt == first.figures["loss"].alt
    # ...and a change does reach render
    with pytest.raises(AssertionError, match="render called"):
        figures.build(_edited(tmp_path, "b_o = [0.7, 0.9]", "b_o = [0.7, 0.95]"), cache)


def test_cache_key_covers_example_and_figure_code(monkeypatch):
    key = figures.cache_key(b"learning_rate = 0.1")
    assert key == figures.cache_key(b"learning_rate = 0.1")
    assert key != figures.cache_key(b"learning_rate = 0.2")
    monkeypatch.setattr(figures, "_code_version", lambda: b"drawing code, next version")
    assert key != figures.cache_key(b"learning_rate = 0.1")


def test_drawing_is_deterministic():
    ex = load_example(ROOT / "examples" / "batch-3-4-3.toml")
    a, b = figures.render(ex), figures.render(ex)
    for fig in figures.FIGURES:
        assert a[fig].svg == b[fig].svg, fig


def test_malformed_example_is_reported_not_drawn(tmp_path):
    from backprop_core import ExampleError

    bad = tmp_path / "bad.toml"
    bad.write_text("learning_rate = -1\n", encoding="utf-8")
    with pytest.raises(ExampleError, match="learning_rate"):
        figures.build(bad, tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


# ---------------------------------------------------------------------------------------
# Legibility of the network diagram


def _boxes(svg: str) -> tuple[list[tuple[str, float, float, float, float]], float, float]:
    root = ET.fromstring(svg)
    out = []
    for t in root.iter(f"{SVG}text"):
        content = full_text(t)
        x, y = float(t.get("x")), float(t.get("y"))
        w = figures.text_width(content)
        anchor = t.get("text-anchor", "start")
        left = x - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
        out.append((content, left, left + w, y - figures.FONT * 0.8, y + figures.FONT * 0.25))
    return out, float(root.get("width")), float(root.get("height"))


def _overlaps(boxes) -> list[str]:
    bad = []
    for a, b in combinations(boxes, 2):
        if a[1] < b[2] and b[1] < a[2] and a[3] < b[4] and b[3] < a[4]:
            bad.append(f"{a[0]!r} and {b[0]!r}")
    return bad


@pytest.mark.parametrize("sizes", [(2, 2, 2, 1), (3, 4, 3, 2), (8, 8, 8, 4), (1, 8, 2, 1),
                                   (8, 1, 8, 1), (8, 3, 2, 1)])
def test_network_texts_never_overlap_and_fit_the_canvas(tmp_path, sizes):
    n_in, n_h, n_out, m = sizes
    path = tmp_path / "big.toml"
    path.write_text(f'learning_rate = 0.1\ndecimals = 6\n[random]\nseed = 5\nn_in = {n_in}\n'
                    f"n_hidden = {n_h}\nn_out = {n_out}\nm = {m}\n", encoding="utf-8")
    built = figures.build(path, tmp_path / "cache")
    for fig in ("network", "gradients"):
        boxes, width, height = _boxes(built.path(fig, "light").read_text(encoding="utf-8"))
        assert _overlaps(boxes) == [], f"{sizes} {fig}"
        outside = [b[0] for b in boxes if b[1] < 0 or b[2] > width or b[3] < 0 or b[4] > height]
        assert outside == [], f"{sizes} {fig}: texts outside the canvas"
        assert len(boxes) >= n_in * n_h + n_h * n_out  # every weight is labelled


def test_overlap_check_can_fail():
    boxes = [("a", 0, 10, 0, 10), ("b", 5, 15, 5, 15), ("c", 20, 30, 0, 10)]
    assert _overlaps(boxes) == ["'a' and 'b'"]


# ---------------------------------------------------------------------------------------
# Formatting and markup


def test_numbers_are_the_sites_format_as_plain_text():
    import fmt

    assert figures.plain(-0.123456, 4) == "−" + fmt.num(0.123456, 4)
    assert figures.plain(0.7, 4) == "0.7"
    assert figures.plain(2.5337e-5, 4) == "2.534×10⁻⁵"
    assert figures.plain(-float("inf"), 4) == "−∞"
    assert parse(figures.plain(2.5337e-5, 4))[0] == pytest.approx(2.534e-5)


def test_figure_markup_points_to_both_variants_with_alt_text(cache):
    built = figures.build(ROOT / "examples" / "default.toml", cache)
    markup = figures.html(built, "loss", "conclusion/")
    assert 'src="../figures/loss-light.svg#only-light"' in markup
    assert 'src="../figures/loss-dark.svg#only-dark"' in markup
    assert markup.count('alt="Line chart of the loss') == 2
    assert 'src="figures/network-light.svg#only-light"' in figures.html(built, "network", "")
    with pytest.raises(KeyError, match="expected one of network"):
        figures.html(built, "nope", "")


def test_readable_width_keeps_the_smallest_text_at_11px():
    svg = ('<svg width="600pt" viewBox="0 0 600 300"><style>text{font-size:13px}</style>'
           '<text style="font: 10px sans">a</text></svg>')
    assert figures.readable_width(svg) == pytest.approx(600 * 11 / 10)
    assert figures.readable_width('<svg viewBox="0 0 780 200"><text font-size="13">a'
                                  '</text></svg>') == pytest.approx(660)
    with pytest.raises(ValueError, match="viewBox"):
        figures.readable_width("<svg><text font-size='13'>a</text></svg>")


def test_a_figure_never_shrinks_its_text_below_11px_and_scrolls_instead(cache):
    built = figures.build(ROOT / "examples" / "default.toml", cache)
    for name in figures.FIGURES:
        markup = figures.html(built, name, "")
        width = int(re.search(r"--bp-readable: (\d+)px", markup)[1])
        need = max(figures.readable_width(svg) for svg in built.figures[name].svg.values())
        assert need <= width < need + 1, name
        assert 'class="bp-figure-scroll" tabindex="0"' in markup
    css = (ROOT / "docs" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert re.search(r"\.bp-figure-scroll img \{\s*min-width: var\(--bp-readable", css)
    assert re.search(r"\.bp-figure-scroll \{[^}]*overflow-x: auto", css)


def test_install_copies_every_file_into_the_site(tmp_path, cache):
    built = figures.build(ROOT / "examples" / "default.toml", cache)
    written = figures.install(built, tmp_path / "site")
    assert sorted(p.name for p in written) == sorted(
        f"{f}-{s}.svg" for f in figures.FIGURES for s in figures.SCHEMES)
    for p in written:
        assert p.read_bytes() == built.path(*p.stem.rsplit("-", 1)).read_bytes()


# ---------------------------------------------------------------------------------------
# Reading the diagrams: edge names, legends, colours


_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def test_every_edge_label_names_its_edge_beside_its_number(case):
    """Where lines cross, a label must still say which weight it is: each weight's number
    has the weight's name as the article writes it (W with the subscript i₂h₁, a lowered
    <tspan>) right beside it, in the same masked label box."""
    name, _, built, tr, _ = case
    sz = tr["sizes"]
    for fig, group in (("network", "params"), ("gradients", "gradients")):
        root = ET.fromstring(built.path(fig, "light").read_text(encoding="utf-8"))
        texts = list(root.iter(f"{SVG}text"))
        names = {full_text(t): (float(t.get("x")), float(t.get("y"))) for t in texts
                 if re.fullmatch(r"W[ih][₀-₉]+[ho][₀-₉]+", full_text(t))}
        for t in texts:  # the subscript is one: lowered, smaller, after the W
            if full_text(t) in names:
                assert t.text == "W" and [s.get("class") for s in t] == ["sub"] \
                    and float(t[0].get("dy")) > 0, f"{name}/{fig}: {full_text(t)}"
        assert len(names) == sz["n_hidden"] * (sz["n_in"] + sz["n_out"]), f"{name}/{fig}"
        for t in texts:
            key = t.get("data-key") or ""
            m = re.fullmatch(rf"{group}\.W_(ih|ho)\.(\d+)\.(\d+)", key)
            if not m:
                continue
            a, c = int(m[2]) + 1, int(m[3]) + 1
            edge = f"Wi{a}h{c}" if m[1] == "ih" else f"Wh{a}o{c}"
            match = [xy for label, xy in names.items() if label.translate(_SUB) == edge]
            assert match, f"{name}/{fig}: no label {edge}"
            (nx, ny), (x, y) = match[0], (float(t.get("x")), float(t.get("y")))
            # beside it: on the line above (stacked, with room for the name's subscript)
            # or on the same line just left of it
            assert abs(nx - x) < 80 and abs(ny - y) <= figures.FONT + figures.SUB_DY + 1, \
                f"{name}/{fig}: {edge} is not beside its number"


def test_diagrams_explain_line_thickness_and_colour(case):
    name, _, built, _, _ = case
    for fig in ("network", "gradients"):
        words = " ".join(texts_of(built.path(fig, "light").read_text(encoding="utf-8")))
        assert "line thickness" in words, f"{name}/{fig}"
        assert ("red: gradients" if fig == "gradients" else "green:") in words, f"{name}/{fig}"


def test_the_loss_is_not_drawn_in_the_gradients_colour(case):
    name, _, built, _, _ = case
    for scheme in figures.SCHEMES:
        pal = figures.PALETTES[scheme]
        svg = built.path("gradients", scheme).read_text(encoding="utf-8")
        loss = [t for t in svg_texts(svg) if t.get("data-key") == "loss"]
        assert loss and all("bwd" not in t.get("class", "") for t in loss), name
        assert f".loss{{fill:{pal.fg}}}" in svg
        chart = built.path("loss", scheme).read_text(encoding="utf-8")
        assert pal.backward not in chart, f"{name}: the loss chart uses the gradients' colour"


# ---------------------------------------------------------------------------------------
# Drawing once, in the background: the same figures as drawing each scheme on its own


def canonical_ids(svg: str) -> str:
    """`svg` with matplotlib's marker names (a hash covering the colour) numbered in
    order of appearance instead: the one thing a recoloured chart names differently."""
    ids: dict[str, str] = {}
    return re.sub(r"\bm[0-9a-f]{10}\b", lambda m: ids.setdefault(m.group(), f"m{len(ids)}"),
                  svg)


@pytest.mark.parametrize("name", EXAMPLES + ["tiny"])
def test_charts_drawn_once_equal_charts_drawn_per_scheme(name, tmp_path):
    if name == "tiny":  # values too small for the display precision: ×10⁻ⁿ labels
        path = _edited(tmp_path, "x = [[0.1, 0.2]]", "x = [[1e-7, 2e-7]]")
    else:
        path = ROOT / "examples" / f"{name}.toml"
    ex = load_example(path)
    once, twice = figures.render(ex), figures.render(ex, draw_once=False)
    for fig in figures.FIGURES:
        assert once[fig].alt == twice[fig].alt and once[fig].caption == twice[fig].caption
        assert once[fig].svg["light"] == twice[fig].svg["light"], fig  # byte for byte
        dark, drawn = once[fig].svg["dark"], twice[fig].svg["dark"]
        assert canonical_ids(dark) == canonical_ids(drawn), f"{name}/{fig}"
        # no light colour left behind in the recoloured variant
        for colour in vars(figures.PALETTES["light"]).values():
            if colour != figures.PALETTES["dark"].bg:
                assert colour not in dark.lower(), f"{name}/{fig}: {colour}"


def test_recolour_refuses_a_palette_with_repeated_colours():
    light = figures.PALETTES["light"]
    clash = figures.Palette(**{**vars(light), "accent": light.fg})
    with pytest.raises(ValueError, match="distinct colours"):
        figures.recolour("<svg/>", clash, figures.PALETTES["dark"])


def test_background_drawing_gives_the_foreground_figures(tmp_path):
    path = ROOT / "examples" / "batch-3-4-3.toml"
    back = figures.build(path, tmp_path / "a", background=True)
    fore = figures.build(path, tmp_path / "b")
    assert back.texts == fore.texts  # known before the drawing finishes
    assert {n: f.svg for n, f in back.figures.items()} == \
        {n: f.svg for n, f in fore.figures.items()}
    assert back.path("loss", "dark").read_text(encoding="utf-8") == \
        fore.figures["loss"].svg["dark"]
    site = tmp_path / "site"
    assert sorted(p.name for p in figures.install(back, site)) == sorted(
        f"{f}-{s}.svg" for f in figures.FIGURES for s in figures.SCHEMES)


def test_a_failing_background_drawing_fails_where_the_figures_are_needed(tmp_path,
                                                                          monkeypatch):
    def broken(example, draw_once=True):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(figures, "render", broken)
    built = figures.build(ROOT / "examples" / "relu.toml", tmp_path / "c", background=True)
    assert "network" in built.texts
    with pytest.raises(RuntimeError, match="drawing failed"):
        figures.install(built, tmp_path / "site")
    assert not list((tmp_path / "c").glob("*/figures.json"))  # nothing cached
