"""Hostile text for the example's text paths: what must show literally, what must be refused.

Shared by tests/test_escape.py (every input through the real Markdown pipeline) and
tests/browser/test_browser_hostile.py (real builds, read back and opened in Chromium).
"""

from __future__ import annotations

#: Titles that must build and appear exactly as written, as text.
LITERAL = {
    "plain-specials": 'Why x < y & "quotes" matter: 50% of $5',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "h1-breakout": "</h1><script>alert(1)</script><h1>",
    "svg-breakout": "</svg><svg onload=alert(1)></svg>",
    "script": "<script>alert(document.domain)</script>",
    "attribute-breakout": "\" onmouseover=\"alert(1)\" x=' onfocus='alert(2)",
    "html-comment-cdata": "<!-- hidden --> <![CDATA[ x ]]> <?php ?>",
    "entities": "&lt;b&gt; &amp;amp; &#60;i&#62; &nbsp;",
    "markdown-link-js": "[click me](javascript:alert(1))",
    "markdown-image-data":
        "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "markdown-autolink": "<javascript:alert(1)> <https://example.org/x>",
    "markdown-reference": "[a][r] [r]: javascript:alert(1)",
    "markdown-inline": "**bold** _it_ `code` ~~s~~ # h | t | --- > q",
    "markdown-attr-list": "x {: onclick=\"alert(1)\" } {#id .cls}",
    "tex-href": r"$\href{javascript:alert(1)}{x}$",
    "tex-html-macros": r"\(\class{a}{b}\style{color:red}{c}\cssId{d}{e}\)",
    "tex-display": r"$$\unicode{x41}$$ \[x\] \begin{align}a\end{align}",
    "template-jinja": "{{ a.s.loss }} {% if true %}x{% endif %} {# c #} {{ 7*7 }}",
    "template-percent": "%s %(x)s {0} {x} ${x} #{x}",
    "backslashes": r"\\ \$ \` \* \_ \{ \} \< \&",
    "unicode": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 שלום مرحبا 👩‍💻 ＜script＞ e\u0301 ﷽",
    "longest": "A" * 119 + "<",
}

#: (TOML value of `title`, the message build.py must print) for titles it must refuse.
REFUSED = {
    "too-long": ('"' + "A" * 121 + '"', "title: expected at most 120 characters; got 121"),
    "newline": (r'"a\nb"', "title: expected printable text without control or "
                           "formatting characters; found U+000A (control character) at character 2"),
    "tab": (r'"a\tb"', "found U+0009"),
    "bell": (r'"a\u0007b"', "found U+0007"),
    "escape-sequence": (r'"\u001b[31mred"', "found U+001B"),
    "right-to-left-override": (r'"abc\u202Edef"', "found U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "right-to-left-isolate": (r'"abc\u2067def\u2069"', "found U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    "left-to-right-mark": (r'"abc\u200Edef"', "found U+200E (LEFT-TO-RIGHT MARK)"),
    "zero-width-space": (r'"a\u200Bb"', "found U+200B (ZERO WIDTH SPACE)"),
    "byte-order-mark": (r'"a\uFEFFb"', "found U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    "line-separator": (r'"a\u2028b"', "found U+2028 (LINE SEPARATOR)"),
    "private-use": (r'"a\uE000b"', "found U+E000 (private-use character)"),
    "blank": ('"   "', "title: expected a non-empty string; got string '   '"),
    "not-a-string": ("5", "title: expected a non-empty string; got 5"),
}
