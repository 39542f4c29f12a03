"""The practice page and its data, built in this process and read back.

tests/site/test_practice.py reads the practice page and its 101 JSON files out of a
whole site build. Here the same checks (its functions, called unchanged) read a site
folder written in this process (`pages_inprocess.InProcessSites.site`) with three seeds
instead of a hundred (practice.SEEDS shortened, the seeds computed in this process):
every seed's intervals against autograd on the textbook formulas, the classic
mistakes from their definitions, the problem's TeX, the boxes, their labels and the
"show the working" links landing on real headings.

Added here: the site's own example's file against autograd as well, and each box's
visible label read back (the symbol and its indices, the example superscript) as the
value the box is judged by.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages_inprocess as P  # noqa: E402  (puts tests/site and scripts/ on sys.path)
from inprocess import shared_scope  # noqa: E402

import test_practice as site_practice  # noqa: E402  (tests/site)

from backprop_core import load_example  # noqa: E402

SEEDS = 3


@pytest.fixture(autouse=True)
def _few_seeds(monkeypatch):
    """Three seeds, computed in this process (no worker processes)."""
    monkeypatch.setattr(P.practice, "SEEDS", SEEDS)
    monkeypatch.setattr(site_practice, "SEEDS", range(1, SEEDS + 1))
    monkeypatch.setenv("BACKPROP_NO_SPEEDUPS", "1")


@pytest.fixture(scope=shared_scope)
def pages(tmp_path_factory) -> P.InProcessSites:
    return P.InProcessSites(tmp_path_factory.mktemp("pages"))


@pytest.fixture
def site(pages, monkeypatch) -> Path:
    monkeypatch.setattr(P.practice, "SEEDS", SEEDS)
    return pages.site("default")


# ---------------------------------------------------------------------------------------
# tests/site/test_practice.py, on the folder written here


def test_every_seed_against_autograd(site, tmp_path):
    site_practice.test_every_seed_against_autograd(site, tmp_path)


def test_seed_mistakes_from_their_definitions(site, tmp_path):
    site_practice.test_seed_mistakes_from_their_definitions(site, tmp_path)


def test_the_problem_is_the_seed_example(site, tmp_path):
    site_practice.test_the_problem_is_the_seed_example(site, tmp_path)


def test_the_page_asks_for_every_value_the_article_computes(site):
    site_practice.test_the_page_asks_for_every_value_the_article_computes(site)


def test_boxes_are_labelled_and_stages_link_to_real_headings(site):
    site_practice.test_boxes_are_labelled_and_stages_link_to_real_headings(site)


def test_the_page_shows_no_text_from_the_example_file(tmp_path):
    site_practice.test_the_page_shows_no_text_from_the_example_file(tmp_path, tmp_path / "c")


def test_other_sizes_get_their_own_form_and_seeds_keep_theirs(tmp_path):
    site_practice.test_other_sizes_get_their_own_form_and_seeds_keep_theirs(tmp_path)


def test_every_variant_together_is_within_budget(site):
    site_practice.test_every_variant_together_is_within_budget(site)


def test_a_warm_build_computes_nothing(tmp_path, monkeypatch):
    site_practice.test_a_warm_build_computes_nothing(tmp_path, tmp_path / "c", monkeypatch)


# ---------------------------------------------------------------------------------------
# The site's own example, and the labels a reader sees


def test_the_sites_own_example_against_autograd(site):
    """site.json: every box's interval holds autograd's value, with the places the
    precision rule asks for, and no wider than rounding explains."""
    example = load_example(P.ROOT / "examples" / "default.toml")
    ref = site_practice.reference_for(example)
    data = site_practice.variant_file(site, "site.json")
    boxes = site_practice.page_boxes(site)
    assert data["seed"] is None and len(data["answers"]) == len(boxes)
    for (key, idx), (interval, places, _) in zip(boxes, data["answers"]):
        v = float(np.asarray(ref[key])[idx])
        assert site_practice.inside(v, interval), (key, idx, v, interval)
        needed = site_practice.precision.places_needed(v, example.decimals)
        # an update needs the places that show it moved (check.moved_places): more,
        # but only where the unmoved parameter would pass at the places needed
        if places > needed:
            assert key.startswith("updated."), (key, idx, places, v)
        assert min(1, needed) <= places, (key, idx, places, v)
        low, high = interval if isinstance(interval, list) else (interval, interval)
        assert high - low <= 0.05 * abs(v) + 10 * 10.0 ** -places, (key, idx, interval)
    # the problem: the example's own starting values, in the article's order
    given = [example.x, example.y, example.params.W_ih, example.params.b_h,
             example.params.W_ho, example.params.b_o, np.array(example.learning_rate)]
    assert [tex.split("=", 1)[0].strip() for tex in data["problem"]] == [
        "x", "y", "W_{ih}", "b_h", "W_{ho}", "b_o", r"\eta"]
    for tex, value in zip(data["problem"], given):
        found = [t.value for t in site_practice.parse_tokens(tex.split("=", 1)[1])]
        assert found == [float(v) for v in np.ravel(value)], tex


#: A box's label as a reader reads it → (trace key, index), 0-based.
_UNIT = r"(?P<base>[hoxy])(?:\((?P<e>\d+)\))?(?P<part>in|out),(?P<u>\d+)"


def read_label(text: str) -> tuple[str, tuple[int, ...]]:
    """"hin,2" (h_in,2), "∂E/∂o(2)out,1", "∂oout,1/∂oin,2", "Wh2o1+", "∂E/∂bo1", "E",
    "Eafter" → the trace key and index it names."""
    text = text.replace(" ", "")
    if text == "E":
        return "loss", ()
    if text == "Eafter":
        return "loss_after", ()
    m = re.fullmatch(r"(?P<w>W)(?P<a>[ih])(?P<i>\d+)(?P<b>[ho])(?P<j>\d+)|"
                     r"b(?P<layer>[ho])(?P<k>\d+)", text.removeprefix("∂E/∂").replace("+", ""))
    if m and (text.startswith("∂E/∂") or "+" in text):
        name = f"W_{m['a']}{m['b']}" if m["w"] else f"b_{m['layer']}"
        idx = (int(m["i"]) - 1, int(m["j"]) - 1) if m["w"] else (int(m["k"]) - 1,)
        return (f"updated.{name}" if "+" in text else f"backward.dE_d{name}"), idx
    unit = re.fullmatch(_UNIT, text)
    if unit:
        e = int(unit["e"]) - 1 if unit["e"] else 0
        return f"forward.{unit['base']}_{unit['part']}", (e, int(unit["u"]) - 1)
    grad = re.fullmatch(r"∂E/∂" + _UNIT, text)
    if grad:
        e = int(grad["e"]) - 1 if grad["e"] else 0
        return f"backward.dE_d{grad['base']}_{grad['part']}", (e, int(grad["u"]) - 1)
    jac = re.fullmatch(r"∂" + _UNIT + r"/∂" + _UNIT.replace("?P<", "?P<b_"), text)
    if jac:
        e = int(jac["e"]) - 1 if jac["e"] else 0
        c, k = int(jac["u"]) - 1, int(jac["b_u"]) - 1
        if jac["base"] == "o":
            return "backward.do_out_do_in", (e, c, k)
        assert c == k, text  # ∂h_out,j/∂h_in,j: one unit's own slope
        return "backward.dh_out_dh_in", (e, c)
    raise AssertionError(f"a box labelled {text!r}: not a value of the article")


def _label_text(label) -> str:
    """The label as text, an example's superscript in parentheses: h(2)in,1."""
    parts = []
    for node in label.descendants:
        if isinstance(node, str) and node.parent.name in ("var", "sub", "label"):
            parts.append(node)
        elif isinstance(node, str) and node.parent.name == "sup":
            parts.append(node if node == "+" else f"({node.strip('()')})")
    return "".join(parts)


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "mse-batch"])
def test_every_box_is_labelled_with_the_value_it_judges(pages, name, monkeypatch):
    """Each box's visible label names the value its data-answer selects (the symbol,
    its indices and the example's superscript), and its spoken name says the same."""
    monkeypatch.setattr(P.practice, "SEEDS", SEEDS)
    soup = BeautifulSoup(pages.page(name, "practice"), "html.parser")
    form = soup.select_one("[data-practice] .practice-form")
    m = load_example(pages.example_file(name)).sizes["m"]
    boxes = form.select("input[data-answer]")
    assert boxes
    for box in boxes:
        label = form.select_one(f'label[for="{box["id"]}"]')
        key, idx = read_label(_label_text(label))
        answer = key + "".join(f"[{i}]" for i in idx)
        if key == "backward.dh_out_dh_in":
            answer = key + f"[{idx[0]}][{idx[1]}]"
        assert box["data-answer"] == answer, (_label_text(label), box["data-answer"])
        spoken = box["aria-label"]
        if m > 1 and len(idx) >= 2 and key.split(".")[0] in ("forward", "backward") \
                and not key.endswith(("dW_ho", "dW_ih")):
            assert spoken.endswith(f", example {idx[0] + 1}"), spoken
        else:
            assert "example" not in spoken, spoken
    assert len({b["id"] for b in boxes}) == len(boxes)


def test_the_label_reader_refuses_a_wrong_label():
    assert read_label("h(2)in,1") == ("forward.h_in", (1, 0))
    assert read_label("∂oout,2/∂oin,1") == ("backward.do_out_do_in", (0, 1, 0))
    assert read_label("Wh2o1+") == ("updated.W_ho", (1, 0))
    assert read_label("∂E/∂bh2") == ("backward.dE_db_h", (1,))
    with pytest.raises(AssertionError):
        read_label("∂hout,1/∂hin,2")


def test_the_page_names_every_seed_and_the_learning_rate(site):
    """The page's own data attributes: how many seeds, the rate every seed uses, where
    the variants are, and the seeds' mistake names as the JSON lists them."""
    soup = BeautifulSoup((site / "practice" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    root = soup.select_one("[data-practice]")
    assert root["data-practice-seeds"] == str(SEEDS)
    assert float(root["data-practice-learning-rate"]) == 0.1
    assert root["data-practice-data"] == "../assets/practice/"
    ids = json.loads((site / "assets" / "practice" / "seed-1.json").read_text("utf-8"))
    assert "mistakes" not in ids  # the seeds share the page's list
    names = json.loads(root["data-practice-mistakes"])
    sentences = {s["data-mistake-id"] for s in root.select("[data-mistake-id]")}
    for pair in names:
        assert set(pair.split("+")) <= sentences, pair


@pytest.mark.parametrize("name", ["default", "batch-3-4-3", "mazur-2015"])
def test_every_box_holds_the_checkers_intervals(pages, name):
    """Each box's data is the checker's own judgement (backprop_core.check.targets,
    the `check` command's rule): the correct interval exactly, with its places; every
    mistake that changes the value listed under its name, its interval holding the
    checker's and rounded outward to at most 2 places more than it asks for."""
    from backprop_core import check

    example = load_example(pages.example_file(name))
    data = P.practice.variant(example, None)
    soup = BeautifulSoup(pages.page(name, "practice"), "html.parser")
    form = soup.select_one("[data-practice] .practice-form")
    boxes = [site_practice._split(b["data-answer"]) for b in form.select("input[data-answer]")]
    targets = check.targets(example)
    assert len(boxes) == len(data["answers"]) and data["layout"] == form["data-layout"]

    def bounds(interval):
        return interval if isinstance(interval, list) else (interval, interval)

    for (key, idx), (interval, places, wrong) in zip(boxes, data["answers"]):
        t = targets[key]
        low, high = (float(np.asarray(v)[idx]) for v in (t.correct.low, t.correct.high))
        assert tuple(bounds(interval)) == (low, high), (key, idx)
        assert places == int(np.asarray(t.correct.places)[idx]), (key, idx)
        listed = {}
        for entry in wrong:
            ids = entry[0] if isinstance(entry[0], list) else [entry[0]]
            for i in ids:
                listed[data["mistakes"][i]] = entry
        for mid, m in t.mistakes.items():
            mlow, mhigh = (float(np.asarray(v)[idx]) for v in (m.low, m.high))
            mplaces = int(np.asarray(m.places)[idx])
            if not (np.isfinite(mlow) and np.isfinite(mhigh)) or (low <= mlow and mhigh <= high):
                assert mid not in listed, (key, idx, mid)
                continue
            if mid not in listed:
                # the page names a mistake only in its own stage and the next
                # (practice.CARRY), a wrong sign where it is made, a pair only where no
                # single mistake fits; tests/test_practice_kinds.py checks where
                continue
            entry = listed[mid]
            lo, hi = bounds(entry[1])
            assert lo <= mlow and mhigh <= hi, (key, idx, mid, entry, mlow, mhigh)
            extra = P.practice.MISTAKE_EXTRA_PLACES  # places more, as the module documents
            step = 10.0 ** -(mplaces + extra)
            assert (mlow - lo) <= step * 1.001 and (hi - mhigh) <= step * 1.001, (key, idx, mid, entry)
            for bound in (lo, hi):  # written to those places, no more
                assert abs(round(bound, mplaces + extra) - bound) <= 1e-12 * max(1, abs(bound)), \
                    (key, idx, mid, entry)
            assert (entry[2] if len(entry) > 2 else places) == mplaces, (key, idx, mid)


def test_a_build_with_new_code_drops_the_old_files(tmp_path, monkeypatch):
    """The cache keeps only what the present code computed: seed folders and site
    files of other code are removed; the site's variant is keyed by the example too."""
    cache = tmp_path / "c"
    (cache / "seeds-0000old").mkdir(parents=True)
    (cache / "site-0000old-1234.json").write_text("{}", encoding="utf-8")
    built = P.practice.build_all(P.ROOT / "examples" / "default.toml", cache)
    names = sorted(p.name for p in cache.iterdir())
    assert "seeds-0000old" not in names and "site-0000old-1234.json" not in names
    assert built.folder.parent == cache and built.folder.name in names
    assert sorted(p.name for p in built.folder.iterdir()) == sorted(
        ["ids.json", *(f"seed-{k}.json" for k in range(1, SEEDS + 1))])
    site_files = [n for n in names if n.startswith("site-")]
    assert len(site_files) == 1
    other = tmp_path / "other.toml"
    other.write_text((P.ROOT / "examples" / "relu.toml").read_text("utf-8"), "utf-8")
    P.practice.build_all(other, cache)
    assert len([p for p in cache.iterdir() if p.name.startswith("site-")]) == 2
    # installed: every seed's file and the site's, as written
    site = tmp_path / "site"
    P.practice.install(built, site)
    P.practice.install(built, site)  # again, over the earlier files
    files = sorted(p.name for p in (site / P.practice.SITE_FOLDER).iterdir())
    assert files == sorted(["site.json", *(f"seed-{k}.json" for k in range(1, SEEDS + 1))])
    assert json.loads((site / P.practice.SITE_FOLDER / "site.json").read_text("utf-8")) == \
        built.site
    for k in range(1, SEEDS + 1):
        assert (site / P.practice.SITE_FOLDER / f"seed-{k}.json").read_bytes() == \
            (built.folder / f"seed-{k}.json").read_bytes()


def test_the_page_poses_the_problem_and_says_what_it_offers(site):
    """What a reader sees around the boxes: the starting values, in the article's order
    (the site's own example's, as its data has them), "Show the working:" followed by
    its links, and the answers-file paragraph."""
    soup = BeautifulSoup((site / "practice" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    root = soup.select_one("[data-practice]")
    data = site_practice.variant_file(site, "site.json")
    blocks = root.select("[data-practice-problem]")
    assert [b["data-practice-problem"] for b in blocks] == [str(i) for i in range(7)]
    assert [b.get_text() for b in blocks] == [f"\\[{tex}\\]" for tex in data["problem"]]
    example = load_example(P.ROOT / "examples" / "default.toml")
    assert blocks[0].get_text() == r"\[x = \begin{bmatrix} 0.1 & 0.2 \end{bmatrix}\]"
    assert blocks[6].get_text() == r"\[\eta = " + f"{example.learning_rate}" + r"\]"
    for para in root.select(".practice-working"):
        names = [a.get_text() for a in para.select("a")]
        assert para.get_text() == "Show the working: " + ", ".join(names), para.get_text()
    text = " ".join(root.get_text(" ").split())
    assert "What you typed, as an answers file for the check command" in text
    assert "The site's own example." in text and "New numbers" in text


def test_variant_files_are_written_compactly(site):
    """No space after , or : (the size budget): the JSON as json.dumps writes it with
    separators (",", ":")."""
    for path in (site / P.practice.SITE_FOLDER).glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), separators=(",", ":")), path.name


def test_a_failing_worker_is_reported_with_its_last_three_lines(monkeypatch):
    class Failing:
        returncode = 1

        def __init__(self, *args, **kwargs):
            pass

        def communicate(self):
            return "", "one\ntwo\nthree\nfour\nfive\n"

    monkeypatch.delenv("BACKPROP_NO_SPEEDUPS")
    monkeypatch.setattr(P.practice.subprocess, "Popen", Failing)
    monkeypatch.setattr(P.practice, "_seed_variant", lambda k: {"seed": k})
    with pytest.raises(RuntimeError) as err:
        P.practice.seed_variants([1, 2, 3, 4], workers=2)
    assert str(err.value) == ("practice: the variants of seeds 2…: expected them computed; "
                              "got exit status 1: three | four | five")


def test_a_build_that_finds_its_seeds_already_written_keeps_them(tmp_path, monkeypatch):
    """Two builds at once: the one whose renaming fails (the other was first) drops its
    own copy and uses the folder there, with the same content."""
    cache = tmp_path / "c"
    first = P.practice.build_all(P.ROOT / "examples" / "default.toml", cache)
    import shutil as _shutil
    moved = tmp_path / "moved"
    _shutil.move(str(first.folder), moved)
    real_rename = Path.rename

    def rename(self, target):
        _shutil.copytree(moved, target)  # the other build, just before this one
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    again = P.practice.build_all(P.ROOT / "examples" / "default.toml", cache)
    assert again.folder == first.folder and again.site == first.site
    assert not [p for p in cache.iterdir() if p.name.startswith(".seeds-")]
