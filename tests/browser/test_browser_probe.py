"""The probes' pure parts can fail: raw-TeX spotting, formula counting, number matching."""

from __future__ import annotations

from probe import number_pattern, raw_tex, source_formulas, tokens


def test_raw_tex_spots_untypeset_math():
    assert raw_tex(r"the loss \(E = 0.8342\) here")
    assert raw_tex(r"display \[ x \] here")
    assert raw_tex("a $$x^2$$ b")
    assert raw_tex(r"inline $h_{in} = x W_{ih}$ in a notebook cell")
    assert raw_tex(r"a control word \frac left over")
    assert raw_tex("The loss is 0.8342 and −0.3830 after one step (a 2 × 2 matrix).") == []


def test_source_formulas_counts_arithmatex_and_notebook_tex():
    html = """<html><body><article>
      <p><span class="arithmatex">\\(x\\)</span> and <span class="arithmatex">\\(y\\)</span></p>
      <div class="arithmatex">\\[ z \\]</div>
      <pre><code>\\(not math\\)</code></pre>
      <div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">
        <p>Inline $a^2$, escaped \\$5, and display $$\\sum_i b_i$$ and \\(c\\).</p>
      </div>
      <script>var s = "\\\\(no\\\\)";</script>
    </article></body></html>"""
    assert source_formulas(html) == 3 + 3


def test_key_number_pattern_respects_sign_and_digits():
    text = tokens("W = [\u2212 0.3743 0.3743 \u2212 0.3830 0.3830] and E = 0.8342")
    assert number_pattern("-0.3830").search(text)
    assert number_pattern("0.8342").search(text)
    assert not number_pattern("0.383").search(text)       # a prefix of 0.3830 is not it
    assert not number_pattern("-0.8342").search(text)     # nor is the wrong sign
    assert not number_pattern("0.3743").search(tokens("\u2212 0.3743"))
