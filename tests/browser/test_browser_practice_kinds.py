"""Issue 13 on the practice page, in Chromium: what a fresh reader typed (READER3,
findings 4, 5, 6 and 9) gets named, in words a student reads, on the page as it runs.

The typed numbers are the reader's own (the default example's values with the mistake
made, each worked out by hand in the report); what each should be named is the
catalogue id. Verdicts are read from the page's data-* attributes and its text, the
live region included; the helpers are tests/browser/test_browser_practice.py's.
"""

from __future__ import annotations

from test_browser_practice import (CLICK_NAV, answer, open_practice, verdict, wait_ready)

from probe import settle

#: (box, typed, the id it must name): READER3 finding 4 and 5, and the 2018 values.
READER = [
    ("backward.dE_do_out[0][0]", "2.3029", "wrong_sign[dE_do_out]"),
    ("backward.do_out_do_in[0][0][1]", "0.2457", "jacobian_off_sign"),
    ("backward.dE_do_in[0][0]", "0.5658", "wrong_sign[dE_do_in]"),
    ("backward.dE_dW_ho[0][0]", "0.3743", "wrong_sign[dE_dW_ho]"),
    ("forward.o_out[0][0]", "0.5658", "swapped_outputs"),
    ("backward.dh_out_dh_in[0][0]", "0.6615", "sigmoid_prime_h_only"),
    ("backward.dE_dW_ih[0][0]", "0.0051", "other_input"),
    ("loss_after", "0.8342", "loss_before_update"),
    ("updated.W_ih[0][0]", "0.7", "weights_frozen"),
    ("updated.W_ih[0][1]", "0.6", "weights_frozen"),
    ("loss", "0.4704", "printed_2018"),
    ("forward.o_out[0][0]", "0.5818", "printed_2018"),
    ("backward.dE_dh_out[0][0]", "-0.1673", "printed_2018"),
]


def test_the_readers_mistakes_are_named(open_tab, base_url):
    tab = open_practice(open_tab, base_url)
    page = tab.page
    bare = {}
    for key, text, kind in READER:
        seen = answer(page, key, text)
        if seen["verdict"] != "wrong" or kind not in seen["mistake"].split() \
                or seen["said"].strip() == "\u2717 Not correct." \
                or seen["said"] not in seen["live"]:
            bare[f"{key} = {text} ({kind})"] = seen
        answer(page, key, "")
    assert bare == {}
    # a 2018 value says whose it is and links to the page that explains it
    seen = answer(page, "loss", "0.4704")
    assert "the 2018 article printed" in seen["said"], seen
    link = page.locator('input[data-answer="loss"]').locator(
        "xpath=ancestor::*[@data-verdict][1]//a").first.get_attribute("href")
    assert link and "hand-calculation-2018/" in link, link
    assert tab.problems() == []


def test_an_update_must_show_and_an_unmoved_weight_is_named(open_tab, base_url):
    """W⁺_i1h1 = 0.7000 was "✓ Correct" (the weight never moved); at the places asked
    0.69995 is right. 0.6999 and 0.7000 (the update rounded to the page's 4 places, and
    also the weight unmoved or several mistakes) ask for the places that show the update
    (READER4: they were "too many mistakes" and "you left the weights"); 0.7, the weight
    as given, names the weights left out of the update."""
    tab = open_practice(open_tab, base_url)
    page = tab.page
    seen = answer(page, "updated.W_ih[0][0]", "0.7")
    assert seen["verdict"] == "wrong" and seen["mistake"] == "weights_frozen", seen
    assert "left the weights as they were" in seen["said"], seen
    seen = answer(page, "updated.W_ih[0][0]", "0.69995")
    assert seen["verdict"] == "correct", seen
    for text in ("0.6999", "0.7000"):
        seen = answer(page, "updated.W_ih[0][0]", text)
        assert seen["verdict"] == "wrong" and seen["mistake"] == "", seen
        assert "write at least 5" in seen["said"] and "same number" in seen["said"], seen
        assert seen["said"] in seen["live"], seen
    # fresh numbers: seed 3's unmoved W_i1h1 = 0.1600 was a bare "Not correct"
    page.evaluate("() => { history.pushState(null, '', '#seed=3');"
                  " dispatchEvent(new HashChangeEvent('hashchange')); }")
    wait_ready(page, 3)
    seen = answer(page, "updated.W_ih[0][0]", "0.1600")
    assert seen["verdict"] == "wrong" and seen["mistake"] == "weights_frozen", seen
    assert tab.problems() == []


def test_alternatives_are_said_as_alternatives_with_the_working_once(open_tab, base_url):
    """∂E/∂h_out,1 = −0.2263: three mistakes each give it (READER3 finding 6)."""
    tab = open_practice(open_tab, base_url)
    page = tab.page
    seen = answer(page, "backward.dE_dh_out[0][0]", "-0.2263", how="change")  # Tab
    assert seen["verdict"] == "wrong", seen
    assert set(seen["mistake"].split()) == {"jacobian_diagonal", "one_path[1]", "one_path[own]"}
    assert "Any one of these gives this value:" in seen["said"], seen
    assert "a classic mistake gives" not in seen["said"], seen
    assert "Any one of these gives this value:" in seen["live"], seen
    shown = page.evaluate("""() => {
      const say = document.querySelector('input[data-answer="backward.dE_dh_out[0][0]"]')
        .closest('[data-verdict]').querySelector('.practice-say');
      return {items: say.querySelectorAll('[role="list"] > [role="listitem"]').length,
              links: [...say.querySelectorAll('a')].map(a => [a.textContent, a.getAttribute('href')])};
    }""")
    assert shown["items"] == 3, shown
    # the right working once: one link per page the three lead to (two pages)
    assert [text for text, _ in shown["links"]] == ["the derivatives", "the hidden layer"]
    assert seen["said"].count("The right working") == 1, seen
    # two kinds on different pages: one link per page, each named
    seen = answer(page, "updated.W_ho[0][1]", "0.6075")   # w + η·g, and the 2018 value
    assert set(seen["mistake"].split()) == {"sign_flip", "printed_2018"}, seen
    assert "The right working: the output layer, the 2018 page." in seen["said"], seen
    assert tab.problems() == []


def test_sentences_are_in_the_articles_notation(open_tab, base_url):
    """"∂E/∂o_in = o_out − y" as the article writes it: o<sub>in</sub>, no underscores."""
    tab = open_practice(open_tab, base_url)
    page = tab.page
    answer(page, "backward.dE_do_in[0][0]", "0.5658")
    said = page.evaluate("""() => document.querySelector(
      'input[data-answer="backward.dE_do_in[0][0]"]').closest('[data-verdict]')
      .querySelector('.practice-say').innerHTML""")
    assert "<var>o</var><sub>out</sub>" in said and "<var>o</var><sub>in</sub>" in said, said
    text = verdict(page, "backward.dE_do_in[0][0]")["said"]
    assert "_" not in text and "o_out" not in text, text
    assert tab.problems() == []


def test_a_wrong_earlier_value_is_said_beside_a_bare_verdict(open_tab, base_url):
    """No number is computed in the page, so a value that only follows from a wrong
    earlier one cannot be recognised; the page says there is a wrong earlier value."""
    tab = open_practice(open_tab, base_url)
    page = tab.page
    answer(page, "forward.o_out[0][0]", "0.9000")       # no mistake gives it
    seen = answer(page, "loss", "0.1054")                # −ln 0.9: follows from it
    assert seen["verdict"] == "wrong" and seen["mistake"] == "", seen
    assert "is not correct either" in seen["said"] and "check command" in seen["said"], seen
    assert "is not correct either" in seen["live"], seen
    label = page.evaluate("""() => document.querySelector('input[data-answer="loss"]')
      .closest('[data-verdict]').querySelector('.practice-say span').innerHTML""")
    assert "<sub>out,1</sub>" in label, label
    # nothing wrong before it: a bare verdict stays bare
    answer(page, "forward.o_out[0][0]", "")
    seen = answer(page, "loss", "0.1054")
    assert seen["said"] == "\u2717 Not correct.", seen
    assert tab.problems() == []


def test_named_after_instant_navigation_once(open_tab, base_url):
    """In through the navigation (no reload): a kind is named, its sentence shown once."""
    tab = open_tab(color_scheme="light")
    page = tab.page
    page.goto(base_url, wait_until="load")
    settle(page)
    for _ in range(2):
        assert page.evaluate(CLICK_NAV, "Practice")
        page.wait_for_function("() => location.pathname.endsWith('/practice/')", timeout=10000)
        settle(page)
        wait_ready(page)
        seen = answer(page, "backward.dE_do_in[0][0]", "0.5658")
        assert seen["said"].count("You wrote") == 1, seen
        assert page.evaluate(CLICK_NAV, "Forward pass")
        page.wait_for_function("() => location.pathname.endsWith('/forward/')", timeout=10000)
        settle(page)
    assert tab.problems() == []
