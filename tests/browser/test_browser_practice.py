"""The practice page in a real browser: typed answers, verdicts, seeds, navigation.

What a value should be comes from the engine's command line (`trace --json`) for the
example the page poses; what a classic mistake gives is written out here from its
definition (10·η, the base-10 logarithm, a flipped sign), not read from the catalogue.
The precision table at the end runs the page's own script on a synthetic page, so the
script's reading of a typed number is held to backprop_core.precision case by case.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import numpy as np
import pytest

from probe import explain, look, settle

from backprop_core import precision
from backprop_core.example import load_example

# As conftest.py has them (imported by name it would clash with tests/site/conftest.py).
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "default.toml"
PHONE = {"width": 390, "height": 844}
SEEDS = 100


# --- what the page should accept ---------------------------------------------------------


def trace(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "backprop_core", "trace", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def seed_file(tmp: Path, k: int) -> Path:
    """The example file the issue defines for practice/#seed=K."""
    path = tmp / f"seed-{k}.toml"
    path.write_text(f"learning_rate = 0.1\n\n[random]\nseed = {k}\n", encoding="utf-8")
    return path


def value(t: dict, answer: str) -> float:
    """trace value for a data-answer such as ``forward.o_in[0][1]``."""
    key, _, rest = answer.partition("[")
    node = t
    for part in key.split("."):
        node = node[part]
    for i in re.findall(r"\d+", "[" + rest if rest else ""):
        node = node[int(i)]
    return float(node)


def written(v: float, decimals: int) -> str:
    """`v` as a careful student writes it: as many places as the article shows."""
    return f"{v:.{precision.places_needed(v, decimals)}f}"


@pytest.fixture(scope="module")
def site_trace() -> dict:
    return trace(EXAMPLE)


@pytest.fixture(scope="module")
def decimals() -> int:
    return load_example(EXAMPLE).decimals


# --- driving the page ----------------------------------------------------------------------


def open_practice(open_tab, base_url, hash_="", **options):
    tab = open_tab(**options)
    tab.page.goto(urljoin(base_url, "practice/") + hash_, wait_until="load")
    settle(tab.page)
    wait_ready(tab.page)
    return tab


def wait_ready(page, seed=None):
    """Until the page has its numbers (the status line names the variant on show)."""
    want = f"seed {seed} of" if seed else ""
    page.wait_for_function(
        "w => { const el = document.querySelector('[data-practice-which]');"
        " return el && (w ? el.textContent.includes(w) : !el.textContent.includes('could not'))"
        " && document.querySelector('[data-practice-live]').textContent !== ''; }",
        arg=want, timeout=10000)


def answer(page, key: str, text: str, how: str = "enter") -> dict:
    box = page.locator(f'input[data-answer="{key}"]')
    box.fill(text)
    if how == "enter":
        box.press("Enter")
    else:  # change: leave the box
        box.press("Tab")
    return verdict(page, key)


def verdict(page, key: str) -> dict:
    return page.evaluate("""key => {
      const box = document.querySelector(`input[data-answer="${key}"]`);
      const field = box.closest('[data-verdict]');
      return {verdict: field.dataset.verdict, mistake: field.dataset.mistake,
              said: field.querySelector('.practice-say').textContent,
              live: document.querySelector('[data-practice-live]').textContent,
              invalid: box.getAttribute('aria-invalid')};
    }""", key)


def answer_keys(page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('input[data-answer]')]"
                         ".map(i => i.dataset.answer)")


def problem_text(page) -> str:
    """The starting values as rendered (MathJax's assistive MathML, token by token)."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-practice-problem]')]
      .map(el => [...el.querySelectorAll('mjx-assistive-mml math *')]
        .filter(e => !e.children.length).map(e => e.textContent.trim()).join(' '))
      .join(' | ')""").replace("\u2212", "-")


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-\s?\d+(?:\.\d+)?|\d+(?:\.\d+)?", text.replace("- ", "-"))]


def starting_numbers(example) -> list[float]:
    p = example.params
    out = []
    for a in (example.x, example.y, p.W_ih, p.b_h, p.W_ho, p.b_o):
        out += [float(v) for v in a.ravel()]
    return out + [example.learning_rate]


# --- verdicts ----------------------------------------------------------------------------


def test_every_value_written_as_the_article_shows_it_is_correct(open_tab, base_url, site_trace,
                                                                decimals):
    tab = open_practice(open_tab, base_url)
    keys = answer_keys(tab.page)
    assert len(keys) >= 40, keys
    wrong = {}
    for key in keys:
        # an update written with the places that show its change (0.69995, not 0.7000)
        text = written(value(site_trace, key), decimals + 2 if key.startswith("updated.")
                       else decimals)
        seen = answer(tab.page, key, text)
        if seen["verdict"] != "correct" or seen["mistake"]:
            wrong[f"{key} = {text}"] = seen
    assert wrong == {}, explain(wrong)
    assert tab.problems() == []


def test_wrong_short_and_unreadable_values(open_tab, base_url, site_trace, decimals):
    tab = open_practice(open_tab, base_url)
    loss = site_trace["loss"]
    seen = answer(tab.page, "loss", written(loss + 0.5, decimals))
    assert (seen["verdict"], seen["mistake"], seen["invalid"]) == ("wrong", "", "true"), seen
    assert "Not correct" in seen["said"] and "E" in seen["live"] and "Not correct" in seen["live"]
    # The right value with too few places is not an answer (precision.places_needed).
    seen = answer(tab.page, "loss", f"{loss:.1f}", how="change")
    assert seen["verdict"] == "wrong" and "decimal places" in seen["said"], seen
    # Not a number: no verdict, a hint instead.
    seen = answer(tab.page, "loss", "1/3")
    assert seen["verdict"] == "" and "Write a number" in seen["said"], seen
    # Emptied: back to unanswered.
    seen = answer(tab.page, "loss", "")
    assert (seen["verdict"], seen["mistake"], seen["said"]) == ("", "", ""), seen
    # A minus sign as typeset (U+2212) reads as a minus.
    g = value(site_trace, "backward.dE_dW_ho[1][0]")
    seen = answer(tab.page, "backward.dE_dW_ho[1][0]", written(g, decimals).replace("-", "\u2212"))
    assert seen["verdict"] == "correct", seen


def test_classic_mistakes_are_named(open_tab, base_url, site_trace, decimals):
    tab = open_practice(open_tab, base_url)
    t, eta = site_trace, site_trace["learning_rate"]
    cases = {  # (key, what the mistake gives, its id), each from the mistake's definition
        "log10": ("loss", t["loss"] / math.log(10), "log10_loss"),
        "x10": ("updated.W_ho[1][0]",
                t["params"]["W_ho"][1][0] - 10 * eta * t["gradients"]["W_ho"][1][0],
                "learning_rate_x10"),
        "sign": ("updated.W_ho[0][1]",
                 t["params"]["W_ho"][0][1] + eta * t["gradients"]["W_ho"][0][1], "sign_flip"),
    }
    for key, v, _ in cases.values():  # each mistake visibly changes its value
        assert abs(v - value(t, key)) > 10 ** -decimals, key
    wrong = {}
    for name, (key, v, mistake) in cases.items():
        seen = answer(tab.page, key, written(v, decimals))
        if seen["verdict"] != "wrong" or mistake not in seen["mistake"].split():
            wrong[name] = seen
        elif not any(lead in seen["said"] and lead in seen["live"]
                     for lead in ("classic mistake", "Any one of these gives this value")):
            wrong[name] = f"no sentence shown: {seen}"
    assert wrong == {}, explain(wrong)
    # The sentence links to where the article explains it, and the link is real.
    href = tab.page.locator('input[data-answer="loss"]').locator(
        "xpath=ancestor::*[@data-verdict][1]//a").first.get_attribute("href")
    assert href and "#" in href, href


# --- seeds ----------------------------------------------------------------------------------


def test_a_seed_poses_the_random_example_and_judges_it(open_tab, base_url, tmp_path, decimals):
    k = 7
    example = load_example(seed_file(tmp_path, k))
    t = trace(seed_file(tmp_path, k))
    tab = open_practice(open_tab, base_url, f"#seed={k}")
    wait_ready(tab.page, k)
    settle(tab.page)
    shown = numbers(problem_text(tab.page))
    assert shown == starting_numbers(example), problem_text(tab.page)
    seen = answer(tab.page, "loss", written(t["loss"], example.decimals))
    assert seen["verdict"] == "correct", seen
    seen = answer(tab.page, "updated.W_ho[0][1]", written(t["updated"]["W_ho"][0][1],
                                                          example.decimals))
    assert seen["verdict"] == "correct", seen
    site_loss = trace(EXAMPLE)["loss"]
    seen = answer(tab.page, "forward.o_out[0][0]", written(site_loss, decimals))
    assert seen["verdict"] == "wrong", seen
    assert tab.problems() == []


@pytest.mark.parametrize("k", [1, 42, SEEDS])
def test_seeds_one_to_n_each_pose_their_example(open_tab, base_url, tmp_path, k):
    example = load_example(seed_file(tmp_path, k))
    tab = open_practice(open_tab, base_url, f"#seed={k}")
    wait_ready(tab.page, k)
    settle(tab.page)
    assert numbers(problem_text(tab.page)) == starting_numbers(example)


@pytest.mark.parametrize("bad", ["0", str(SEEDS + 1), "abc", "7x"])
def test_an_unknown_seed_says_so_and_poses_the_site_example(open_tab, base_url, bad):
    tab = open_practice(open_tab, base_url, f"#seed={bad}")
    tab.page.wait_for_function(
        "() => document.querySelector('[data-practice-which]').textContent.includes('No such seed')",
        timeout=10000)
    settle(tab.page)
    assert numbers(problem_text(tab.page)) == starting_numbers(load_example(EXAMPLE))
    assert tab.problems() == []


def test_new_numbers_moves_to_another_seed(open_tab, base_url, tmp_path):
    tab = open_practice(open_tab, base_url, "#seed=3")
    page = tab.page
    wait_ready(page, 3)
    answer(page, "loss", "1")
    fetched = []
    page.on("request", lambda r: "/assets/practice/" in r.url and fetched.append(r.url))
    for _ in range(3):
        before, count = page.url, len(fetched)
        page.get_by_role("button", name="New numbers").click()
        page.wait_for_function("b => location.href !== b", arg=before, timeout=5000)
        k = int(re.search(r"#seed=(\d+)$", page.url).group(1))
        assert 1 <= k <= SEEDS and not before.endswith(f"#seed={k}")
        wait_ready(page, k)
        settle(page)
        assert numbers(problem_text(page)) == starting_numbers(load_example(seed_file(tmp_path, k)))
        assert verdict(page, "loss")["verdict"] == "", "answers must be cleared for new numbers"
        assert len(fetched) - count == 1, fetched[count:]
    # Back in history: the previous seed's numbers again.
    previous = page.url
    page.go_back()
    page.wait_for_function("b => location.href !== b", arg=previous, timeout=5000)
    k = int(re.search(r"#seed=(\d+)$", page.url).group(1))
    wait_ready(page, k)
    settle(page)
    assert numbers(problem_text(page)) == starting_numbers(load_example(seed_file(tmp_path, k)))
    assert tab.problems() == []


# --- navigation, keyboard, requests, phone ----------------------------------------------------


CLICK_NAV = """text => {
  const link = [...document.querySelectorAll('nav.md-nav--primary a.md-nav__link[href]')]
    .find(a => a.textContent.trim().startsWith(text));
  if (!link) return false;
  link.click();
  return true;
}"""


def test_instant_navigation_in_and_out(open_tab, base_url, site_trace, decimals):
    tab = open_tab(color_scheme="light")
    page = tab.page
    page.goto(base_url, wait_until="load")
    settle(page)
    page.evaluate("() => { window.__notReloaded = 'yes'; }")
    fetched = []
    page.on("request", lambda r: "/assets/practice/" in r.url and fetched.append(r.url))
    for lap in range(2):
        assert page.evaluate(CLICK_NAV, "Practice"), "no nav link to the practice page"
        page.wait_for_function("() => location.pathname.endsWith('/practice/')", timeout=10000)
        settle(page)
        wait_ready(page)
        seen = answer(page, "loss", written(site_trace["loss"], decimals))
        assert seen["verdict"] == "correct", (lap, seen)
        assert page.evaluate(CLICK_NAV, "Forward pass")
        page.wait_for_function("() => location.pathname.endsWith('/forward/')", timeout=10000)
        settle(page)
    assert page.evaluate("() => window.__notReloaded === 'yes'"), "instant navigation is off"
    # On another page the practice script does nothing, even when the hash looks like a seed.
    before = len(fetched)
    page.evaluate("() => { location.hash = 'seed=5'; }")
    page.wait_for_timeout(300)
    assert len(fetched) == before, fetched[before:]
    # In again: one page's worth of listeners, so New numbers fetches exactly once.
    assert page.evaluate(CLICK_NAV, "Practice")
    page.wait_for_function("() => location.pathname.endsWith('/practice/')", timeout=10000)
    settle(page)
    wait_ready(page)
    before = len(fetched)
    page.get_by_role("button", name="New numbers").click()
    page.wait_for_function("() => /#seed=\\d+$/.test(location.href)", timeout=5000)
    k = int(re.search(r"#seed=(\d+)$", page.url).group(1))
    wait_ready(page, k)
    page.wait_for_timeout(300)
    assert len(fetched) - before == 1, fetched[before:]
    assert tab.problems() == []


def test_a_table_of_contents_link_keeps_the_answers(open_tab, base_url, tmp_path):
    """Material renders the page afresh on an in-page link; the answers must survive."""
    k = 9
    t = trace(seed_file(tmp_path, k))
    tab = open_practice(open_tab, base_url, f"#seed={k}")
    page = tab.page
    wait_ready(page, k)
    typed = written(t["loss"], 4)
    answer(page, "loss", typed)
    answer(page, "forward.h_in[0][0]", "12")
    # Mark the page on show: until Material's fresh render replaces it, the old page
    # (answers, verdicts and all) would satisfy every wait below.
    page.evaluate("() => { document.querySelector('[data-practice]').dataset.before = ''; }")
    page.locator('.md-nav--secondary a[href$="#how-your-answers-are-judged"]').first.dispatch_event("click")
    page.wait_for_function("() => location.hash === '#how-your-answers-are-judged'", timeout=5000)
    page.wait_for_function("() => { const r = document.querySelector('[data-practice]');"
                           " return r && !('before' in r.dataset); }", timeout=10000)
    wait_ready(page, k)
    page.wait_for_function("t => document.querySelector('input[data-answer=\"loss\"]').value === t",
                           arg=typed, timeout=5000)
    # the values come back first, their verdicts once the restored answers are judged
    page.wait_for_function("""() => ['loss', 'forward.h_in[0][0]'].map(k => document
      .querySelector(`input[data-answer="${k}"]`).closest('[data-verdict]').dataset.verdict)
      .join() === 'correct,wrong'""", timeout=5000)
    assert verdict(page, "loss")["verdict"] == "correct"
    assert verdict(page, "forward.h_in[0][0]")["verdict"] == "wrong"
    settle(page)
    assert numbers(problem_text(page)) == starting_numbers(load_example(seed_file(tmp_path, k)))
    assert tab.problems() == []


def test_keyboard_only(open_tab, base_url, site_trace, decimals):
    tab = open_practice(open_tab, base_url)
    page = tab.page
    first = answer_keys(page)[0]
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.answer || ''") == first:
            break
    else:
        pytest.fail(f"Tab never reached the first answer box ({first})")
    page.keyboard.type(written(value(site_trace, first), decimals))
    page.keyboard.press("Enter")
    assert verdict(page, first)["verdict"] == "correct"
    # The next box is one Tab away; leaving a box judges it too.
    second = answer_keys(page)[1]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.answer") == second
    page.keyboard.type("12345")
    page.keyboard.press("Tab")
    assert verdict(page, second)["verdict"] == "wrong"
    # New numbers from the keyboard.
    page.locator("[data-practice-new]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => /#seed=\\d+$/.test(location.href)", timeout=5000)
    # Every input has a label and an accessible name.
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input[data-answer]')]
      .filter(i => !i.labels.length || !(i.getAttribute('aria-label') || '').trim())
      .map(i => i.dataset.answer)""")
    assert unnamed == []
    assert tab.problems() == []


def test_no_request_leaves_the_site(open_tab, base_url, site_trace, decimals):
    tab = open_practice(open_tab, base_url, "#seed=11")
    wait_ready(tab.page, 11)
    answer(tab.page, "loss", "0.5")
    tab.page.get_by_role("button", name="New numbers").click()
    tab.page.wait_for_timeout(500)
    assert tab.external == []
    assert tab.problems() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_width_and_scheme_with_verdicts_shown(open_tab, base_url, site_trace, decimals,
                                                    screenshots, scheme):
    tab = open_practice(open_tab, base_url, viewport=PHONE, is_mobile=True, has_touch=True,
                        color_scheme=scheme)
    page = tab.page
    t = site_trace
    answer(page, "loss", written(t["loss"] / math.log(10), decimals))            # a mistake
    answer(page, "forward.h_out[0][0]", written(value(t, "forward.h_out[0][0]"), decimals))
    answer(page, "forward.o_in[0][1]", "3")                                       # wrong
    settle(page)
    seen = look(page)
    page.screenshot(path=str(screenshots / f"practice-verdicts-phone-{scheme}.png"),
                    full_page=True)
    assert seen.page_width <= seen.viewport_width, seen.page_width
    assert seen.cut_off == [], seen.cut_off
    assert seen.low_contrast == [], seen.low_contrast
    if scheme == "dark":
        assert seen.scheme == "slate"
    # Not colour alone: each verdict is also a word and a symbol, and a border style.
    styles = page.evaluate("""() => ['correct', 'wrong'].map(v => {
      const f = document.querySelector(`[data-verdict="${v}"]`);
      return [f.querySelector('.practice-say').textContent.slice(0, 1),
              getComputedStyle(f).borderLeftStyle]; })""")
    assert styles == [["\u2713", "solid"], ["\u2717", "dashed"]], styles
    assert tab.problems() == []


# --- the script's precision rule is precision.py's --------------------------------------------

#: (typed text, low, high, places needed): the shared table. The verdict precision.py
#: gives is computed below; the page's script must give the same for every row.
CASES = [
    ("0.8342", 0.83417, 0.83417, 4), ("0.8", 0.83417, 0.83417, 4),
    ("0.83417", 0.83417, 0.83417, 4), ("0.8341", 0.83417, 0.83417, 4),
    ("0.83415", 0.83417, 0.83417, 4), ("0.8342", 0.83425, 0.83425, 4),
    ("0.8342", 0.834250001, 0.834250001, 4), ("0.8342", 0.83425001, 0.83425001, 4),
    ("0.8342", 0.8343, 0.8344, 4), ("0.8345", 0.8343, 0.8344, 4),
    ("0.83455", 0.8343, 0.8344, 4), ("0.8342", 0.8343, 0.8344, 3),
    ("-2.3029", -2.30291, -2.30291, 4), ("\u22122.3029", -2.30291, -2.30291, 4),
    ("- 2.3029", -2.30291, -2.30291, 4), ("+0.5", 0.5, 0.5, 1), (".5", 0.5, 0.5, 1),
    ("5.", 5.0, 5.0, 0), ("5", 5.0, 5.0, 0), ("0.50", 0.5, 0.5, 1), ("0.5000", 0.5, 0.5, 1),
    ("2.534e-5", 2.5341e-5, 2.5341e-5, 8), ("2.534E-5", 2.5341e-5, 2.5341e-5, 8),
    ("2.534 e -5", 2.5341e-5, 2.5341e-5, 8), ("2.534e\u22125", 2.5341e-5, 2.5341e-5, 8),
    ("0.00002534", 2.5341e-5, 2.5341e-5, 8), ("2.53e-5", 2.5341e-5, 2.5341e-5, 8),
    ("2.5e-5", 2.5341e-5, 2.5341e-5, 8), ("1e3", 1000.0, 1000.0, 0),
    ("1.5e2", 150.0, 150.0, 0), ("  0.25  ", 0.25, 0.25, 2), ("0.1", 0.1, 0.1, 1),
    ("0.3", 0.1 + 0.2, 0.1 + 0.2, 1), ("1234567.891", 1234567.8912, 1234567.8912, 3),
    ("0", 0.0, 0.0, 0), ("-0", 0.0, 0.0, 0), ("0.0000", 0.0, 0.0, 0),
    ("0.12345678901234567890", 0.123456789012345678, 0.123456789012345678, 4),
    ("1e-400", 0.0, 0.0, 0), ("", 0.5, 0.5, 1), ("abc", 0.5, 0.5, 1), ("1/3", 0.3, 0.3, 1),
    ("nan", 0.5, 0.5, 1), ("inf", 0.5, 0.5, 1), ("1e400", 0.5, 0.5, 1), ("--1", -1.0, -1.0, 0),
    ("1,5", 1.5, 1.5, 1), ("0x10", 16.0, 16.0, 0), ("1e", 1.0, 1.0, 0), ("e5", 1.0, 1.0, 0),
    (".", 0.0, 0.0, 0), ("1.2.3", 1.2, 1.2, 1), ("1 2", 12.0, 12.0, 0),
]


def python_verdict(text: str, low: float, high: float, needed: int) -> str:
    """precision.py's verdict; not a number (or not finite, as check refuses) is ""."""
    if not text.strip():
        return ""
    try:
        w = precision.parse(text)
    except ValueError:
        return ""
    if not math.isfinite(w.value):
        return ""
    return "correct" if precision.matches(w, low, high) and w.places >= needed else "wrong"


def rule_page(n: int) -> str:
    fields = "".join(
        f'<div class="practice-field" data-verdict="" data-mistake="">'
        f'<label for="b{i}">case {i}</label><input id="b{i}" data-answer="case[{i}]" '
        f'aria-label="case {i}"><p class="practice-say"></p></div>' for i in range(n))
    return ("<!doctype html><html><body>"
            '<div class="practice" data-practice data-practice-data="rule/" '
            'data-practice-seeds="1" data-practice-mistakes="[]">'
            '<p data-practice-which></p><button data-practice-new>New numbers</button>'
            f'<div class="practice-form" data-layout="rule">{fields}</div>'
            '<div hidden data-practice-sentences></div>'
            '<p data-practice-live aria-live="polite"></p></div>'
            # Material's document$, reduced to what the script uses
            "<script>window.document$ = {subscribe(f) { f(); }};</script>"
            '<script src="/javascripts/practice.js"></script></body></html>')


def test_the_scripts_rule_agrees_with_precision_py(open_tab, base_url):
    tab = open_tab()
    page = tab.page
    data = {"seed": None, "layout": "rule", "problem": [], "mistakes": [],
            "answers": [[[low, high], needed, []] for _, low, high, needed in CASES]}
    page.route("**/rule-test/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=rule_page(len(CASES))))
    page.route("**/rule-test/rule/site.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(data)))
    page.goto(urljoin(base_url, "rule-test/"), wait_until="load")
    page.wait_for_function("() => document.querySelector('[data-practice-live]').textContent",
                           timeout=10000)
    disagree = {}
    for i, (text, low, high, needed) in enumerate(CASES):
        seen = answer(page, f"case[{i}]", text)["verdict"]
        want = python_verdict(text, low, high, needed)
        if seen != want:
            disagree[f"{text!r} in [{low!r}, {high!r}], {needed} places"] = \
                f"script {seen!r}, precision.py {want!r}"
    assert disagree == {}, explain(disagree)
    verdicts = [python_verdict(*c) for c in CASES]
    assert verdicts.count("correct") >= 15 and verdicts.count("wrong") >= 10 \
        and verdicts.count("") >= 10, verdicts  # the table exercises all three
    assert tab.problems() == []


def test_the_scripts_mistake_rule_is_the_checkers(open_tab, base_url):
    """Singles before pairs, a pair named by both its ids, places required for mistakes."""
    tab = open_tab()
    page = tab.page
    names = ["a", "b", "a+b", "c"]
    answers = [
        [1.0, 4, [[0, 2.0], [2, 3.0]]],        # 2.0000 -> a; 3.0000 -> a b (pair)
        [1.0, 4, [[[0, 3], 2.0], [2, 2.0]]],   # 2.0000 -> a c, not the pair
        [1.0, 4, [[1, [2.0, 2.01], 2]]],       # 2.005 -> b (needs 2 places)
        [1.0, 4, [[1, 2.5, 2]]],               # 2.5 -> wrong, too few places for b
        [0.7113, 4, [[3, 0.7, 1]]],            # 0.7 -> c (the frozen bias), not "short"
        [[0.69994, 0.69995], 5, [[3, 0.7, 1]]],  # 0.7000 (the page's 4 places) -> "short"
    ]
    data = {"seed": None, "layout": "rule", "decimals": 4, "problem": [], "mistakes": names,
            "answers": answers}
    page.route("**/rule-test/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=rule_page(len(answers))))
    page.route("**/rule-test/rule/site.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(data)))
    page.goto(urljoin(base_url, "rule-test/"), wait_until="load")
    page.wait_for_function("() => document.querySelector('[data-practice-live]').textContent",
                           timeout=10000)
    got = [answer(page, "case[0]", "2.0000")["mistake"], answer(page, "case[0]", "3.0000")["mistake"],
           answer(page, "case[1]", "2.0000")["mistake"], answer(page, "case[2]", "2.005")["mistake"],
           answer(page, "case[3]", "2.5")["mistake"], answer(page, "case[0]", "1.0000")["verdict"],
           answer(page, "case[4]", "0.7")["mistake"], answer(page, "case[4]", "0.71")["said"]]
    assert got[:-1] == ["a", "a b", "a c", "b", "", "correct", "c"], got
    assert "decimal places" in got[-1], got
    # right to the page's places, but an update needs 5: short, whatever mistake also
    # rounds to it (a mistake is named only for fewer places than the page asks)
    short = answer(page, "case[5]", "0.7000")
    assert short["mistake"] == "" and "write at least 5" in short["said"], short
    assert "same number" in short["said"], short
    assert answer(page, "case[5]", "0.7")["mistake"] == "c"


# --- the page and the check command agree -------------------------------------------------------


def exported(page) -> str:
    return page.locator("[data-practice-toml]").text_content()


def check_json(example: Path, answers_text: str, tmp: Path) -> list[dict]:
    answers = tmp / "answers.toml"
    answers.write_text(answers_text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "backprop_core", "check", str(example),
                           str(answers), "--json"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_the_page_judges_as_the_check_command(open_tab, base_url, tmp_path):
    """One answer at a time (so the checker has no earlier wrong value to follow through
    from), typed on the page, exported as the page's answers file and graded by
    `python -m backprop_core check`: same verdict, same mistakes."""
    k = 13
    example = seed_file(tmp_path, k)
    t = trace(example)
    d = load_example(example).decimals
    eta = t["learning_rate"]
    W_ho, h_out, b_o = (np.array(t["params"]["W_ho"]), np.array(t["forward"]["h_out"]),
                        np.array(t["params"]["b_o"]))
    cases = [
        ("loss", written(t["loss"], d)),
        ("loss", written(t["loss"] / math.log(10), d)),
        ("loss", f"{t['loss']:.1f}"),
        ("forward.o_in[0][1]", written(float((h_out @ W_ho.T + b_o)[0, 1]), d)),
        ("forward.o_in[0][1]", written(value(t, "forward.o_in[0][1]") + 0.3, d)),
        ("updated.W_ho[1][0]", written(t["params"]["W_ho"][1][0]
                                       - 10 * eta * t["gradients"]["W_ho"][1][0], d)),
        ("updated.b_h[1]", written(t["params"]["b_h"][1] + eta * t["gradients"]["b_h"][1], d)),
        ("updated.b_o[0]", written(t["params"]["b_o"][0], d)),
        ("backward.dE_dW_ih[1][0]", written(value(t, "backward.dE_dW_ih[1][0]"), d)),
        ("loss_after", written(t["loss_after"], d)),
    ]
    tab = open_practice(open_tab, base_url, f"#seed={k}")
    page = tab.page
    wait_ready(page, k)
    assert exported(page).startswith(f"# practice/#seed={k}, the example file:\n"
                                     f"# learning_rate = 0.1, [random] seed = {k}\n")
    differ, seen_mistakes = {}, set()
    for key, text in cases:
        for box in answer_keys(page):  # one answer at a time
            if page.locator(f'input[data-answer="{box}"]').input_value():
                answer(page, box, "")
        on_page = answer(page, key, text)
        records = check_json(example, exported(page), tmp_path)
        assert len(records) == 1, records
        r = records[0]
        assert f"{r['key']}{''.join(f'[{i}]' for i in r['index'])}" == key
        cli = (r["verdict"], " ".join(r["mistakes"]))
        if (on_page["verdict"], on_page["mistake"]) != cli:
            differ[f"{key} = {text}"] = f"page {on_page['verdict']} {on_page['mistake']!r}, " \
                                        f"check {cli[0]} {cli[1]!r}"
        seen_mistakes.update(r["mistakes"])
    assert differ == {}, explain(differ)
    # the cases reach the three verdicts' kinds and several mistakes
    assert {"log10_loss", "learning_rate_x10", "transposed_weights"} <= seen_mistakes, seen_mistakes
    assert tab.problems() == []


def test_the_exported_file_holds_every_answer_as_typed(open_tab, base_url, site_trace, decimals,
                                                       tmp_path):
    tab = open_practice(open_tab, base_url)
    page = tab.page
    typed = {}
    for key in answer_keys(page):
        # an update written with the places that show its change (0.69995, not 0.7000)
        typed[key] = written(value(site_trace, key),
                             decimals + 2 if key.startswith("updated.") else decimals)
        answer(page, key, typed[key])
    text = exported(page)
    assert text.startswith("# The site's own example")
    records = check_json(EXAMPLE, text, tmp_path)
    got = {f"{r['key']}{''.join(f'[{i}]' for i in r['index'])}": r for r in records}
    assert set(got) == set(typed)
    assert {r["verdict"] for r in records} == {"correct"}
    for key, text_ in typed.items():
        assert got[key]["given"] == float(text_.replace("\u2212", "-")), key


# --- a site example of other sizes: the seeds bring their own form --------------------------


@pytest.fixture(scope="module")
def batch_site(tmp_path_factory):
    """The site built from examples/batch-3-4-3.toml (3-4-3, two examples), served."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    out = tmp_path_factory.mktemp("batch-site")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build.py"), "--example",
                           str(ROOT / "examples" / "batch-3-4-3.toml"), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_other_sizes_swap_forms_with_the_seeds(open_tab, batch_site, tmp_path):
    batch = ROOT / "examples" / "batch-3-4-3.toml"
    t_site, example = trace(batch), load_example(batch)
    tab = open_practice(open_tab, batch_site)
    page = tab.page
    site_keys = answer_keys(page)
    assert len(site_keys) > 48 and "forward.h_in[1][3]" in site_keys
    seen = answer(page, "forward.h_in[1][3]", written(value(t_site, "forward.h_in[1][3]"),
                                                      example.decimals))
    assert seen["verdict"] == "correct", seen
    page.get_by_role("button", name="New numbers").click()
    page.wait_for_function("() => /#seed=\\d+$/.test(location.href)", timeout=5000)
    k = int(re.search(r"#seed=(\d+)$", page.url).group(1))
    wait_ready(page, k)
    settle(page)
    assert len(answer_keys(page)) == 48
    t = trace(seed_file(tmp_path, k))
    assert answer(page, "loss", written(t["loss"], 4))["verdict"] == "correct"
    assert numbers(problem_text(page)) == starting_numbers(load_example(seed_file(tmp_path, k)))
    page.go_back()
    page.wait_for_function("() => !location.hash", timeout=5000)
    page.wait_for_function("n => document.querySelectorAll('input[data-answer]').length === n",
                           arg=len(site_keys), timeout=5000)
    settle(page)
    assert numbers(problem_text(page)) == starting_numbers(example)
    assert answer(page, "loss", written(t_site["loss"], example.decimals))["verdict"] == "correct"
    assert tab.problems() == []


def practice_far(key: str, mistake: str) -> bool:
    """Is `key` further on than the page names `mistake` (scripts/practice.py, CARRY)?"""
    sys.path.insert(0, str(ROOT / "scripts"))
    import practice
    from backprop_core.mistakes import by_id
    key = key.partition("[")[0]
    return practice._section(key) > practice._section(by_id(mistake).stage) + practice.CARRY


def test_every_kind_of_mistake_is_judged_as_grade_does(open_tab, base_url, site_dir, tmp_path):
    """For a sample of the mistake values the page holds (every key, singles and pairs),
    typed alone: the page's verdict and mistakes are `check.grade`'s on its exported file."""
    import random
    import tomllib

    from backprop_core.check import grade

    k = 21
    example_path = seed_file(tmp_path, k)
    example = load_example(example_path)
    data = json.loads((site_dir / "assets" / "practice" / f"seed-{k}.json").read_text())
    html = (site_dir / "practice" / "index.html").read_text(encoding="utf-8")
    names = json.loads(__import__("html").unescape(
        re.search(r'data-practice-mistakes="([^"]*)"', html).group(1)))
    tab = open_practice(open_tab, base_url, f"#seed={k}")
    page = tab.page
    wait_ready(page, k)
    keys = answer_keys(page)
    cases = []
    for key, (interval, places, wrong) in zip(keys, data["answers"]):
        for m in wrong:
            low, high = m[1] if isinstance(m[1], list) else (m[1], m[1])
            p = m[2] if len(m) > 2 else places
            cases.append((key, f"{(low + high) / 2:.{p}f}",
                          [names[i] for i in ([m[0]] if isinstance(m[0], int) else m[0])]))
    assert len(cases) > 100
    sample = random.Random(7).sample(cases, 60)
    differ, pairs_only, carried = {}, 0, 0
    for key, text, ids in sample:
        answer(page, key, text)
        seen = verdict(page, key)
        records = grade(example, tomllib.loads(exported(page), parse_float=precision.parse))
        assert len(records) == 1
        r = records[0]
        same = (seen["verdict"], seen["mistake"]) == (r.verdict, " ".join(r.mistakes))
        if not same and r.together and seen["verdict"] == r.verdict == "wrong" \
                and set(seen["mistake"].split()) <= set(r.mistakes):
            # Known: grade tries every pair of mistakes, targets lists only pairs whose
            # own formulas meet at a key, so grade can name more ids for a pair's value.
            pairs_only += 1
        elif not same and seen["verdict"] == r.verdict == "wrong" and \
                set(seen["mistake"].split()) < set(r.mistakes) and all(
                    practice_far(key, i) for i in set(r.mistakes) - set(seen["mistake"].split())):
            # Known: the page names a mistake in its stage and the next only (size budget)
            carried += 1
        elif not same:
            differ[f"{key} = {text} ({'/'.join(ids)})"] = \
                f"page {seen['verdict']} {seen['mistake']!r}, grade {r.verdict} {' '.join(r.mistakes)!r}"
        answer(page, key, "")
    print(f"\n{len(sample)} mistake values typed; {pairs_only} named with fewer pair ids; "
          f"{carried} with fewer mistakes from two or more stages back")
    assert differ == {}, explain(differ)
    assert tab.problems() == []
