"""scripts/build.py: bad examples leave the earlier site untouched; good ones replace it.

Also: plain `mkdocs build --strict` works without build.py (default example, no
warnings), and --random draws a buildable example.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess

import pytest

from sitecheck import PY, ROOT, math_tokens, run_build, run_trace, shows

BAD_EXAMPLES = {
    "missing-file": None,
    "not-toml": "learning_rate = [\n",
    "wrong-shape": ('learning_rate = 0.1\nx = [[0.1, 0.2]]\ny = [[1, 0]]\n'
                    'W_ih = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]\nb_h = [0.1, 0.2]\n'
                    'W_ho = [[0.1, 0.2], [0.3, 0.4]]\nb_o = [0.1, 0.2]\n'),
    "not-one-hot": ('learning_rate = 0.1\nx = [[0.1, 0.2]]\ny = [[1, 1]]\n'
                    'W_ih = [[0.1, 0.2], [0.3, 0.4]]\nb_h = [0.1, 0.2]\n'
                    'W_ho = [[0.1, 0.2], [0.3, 0.4]]\nb_o = [0.1, 0.2]\n'),
    "negative-learning-rate": ("learning_rate = -0.1\n[random]\nseed = 1\n"),
    "too-many-hidden": ("learning_rate = 0.1\n[random]\nseed = 1\nn_hidden = 9\n"),
    "too-many-examples": ("learning_rate = 0.1\n[random]\nseed = 1\nm = 5\n"),
    "huge-input": ('learning_rate = 0.1\nx = [[1e300, 0.2]]\ny = [[1, 0]]\n'
                   'W_ih = [[0.1, 0.2], [0.3, 0.4]]\nb_h = [0.1, 0.2]\n'
                   'W_ho = [[0.1, 0.2], [0.3, 0.4]]\nb_o = [0.1, 0.2]\n'),
    # Finite inputs whose step is not: logits about 1e11 apart underflow a probability.
    "overflowing-step": ('learning_rate = 0.1\nhidden_activation = "relu"\n'
                         'x = [[1e5, 0.2]]\ny = [[1, 0]]\n'
                         'W_ih = [[1e5, 0.2], [0.3, 0.4]]\nb_h = [0.1, 0.2]\n'
                         'W_ho = [[-10, 10], [0.3, 0.4]]\nb_o = [0.1, 0.2]\n'),
}


def tree_hash(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def earlier_site(sites, tmp_path):
    """A copy of the default build that a failing build must leave exactly as it is."""
    out = tmp_path / "public"
    shutil.copytree(sites.site("default"), out)
    return out


@pytest.mark.parametrize("case", sorted(BAD_EXAMPLES))
def test_a_bad_example_leaves_the_site_untouched(earlier_site, tmp_path, case):
    text = BAD_EXAMPLES[case]
    example = tmp_path / f"{case}.toml"
    if text is not None:
        example.write_text(text, encoding="utf-8")
    before = tree_hash(earlier_site)
    done = run_build("--example", str(example), out=earlier_site)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert tree_hash(earlier_site) == before
    leftovers = [p.name for p in earlier_site.parent.iterdir() if p.name.startswith(".public")]
    assert not leftovers, leftovers


def test_too_large_is_refused_with_the_limit(earlier_site, tmp_path):
    example = tmp_path / "big.toml"
    example.write_text(BAD_EXAMPLES["too-many-hidden"], encoding="utf-8")
    done = run_build("--example", str(example), out=earlier_site)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: n_hidden: expected at most 8 so that the pages "
                                   "stay legible; got 9")


@pytest.mark.parametrize("case, message", [
    ("huge-input", "error: x: expected values between -1e+06 and 1e+06 for the pages; "
                   "got 1e+300"),
    ("overflowing-step", "error: backward.dE_do_out: expected finite values for the pages"),
])
def test_values_the_pages_cannot_show_are_refused_by_name(tmp_path, case, message):
    example = tmp_path / f"{case}.toml"
    example.write_text(BAD_EXAMPLES[case], encoding="utf-8")
    done = run_build("--example", str(example), out=tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.startswith(message), done.stderr
    assert not (tmp_path / "out").exists()


def test_random_sizes_too_large_are_refused(tmp_path):
    done = run_build("--random", "3", "--n-out", "9", out=tmp_path / "out")
    assert done.returncode == 2 and "n_out: expected at most 8" in done.stderr
    assert not (tmp_path / "out").exists()


def test_out_that_is_not_a_site_is_refused(tmp_path):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "todo.txt").write_text("mine", encoding="utf-8")
    done = run_build(out=keep)
    assert done.returncode == 2 and "--out" in done.stderr
    assert (keep / "todo.txt").read_text(encoding="utf-8") == "mine"


def test_a_good_example_replaces_the_earlier_site(sites, earlier_site):
    done = run_build("--example", str(sites.example_file("relu")), out=earlier_site)
    assert done.returncode == 0, done.stderr
    index = (earlier_site / "index.html").read_text(encoding="utf-8")
    assert "The same step with a ReLU hidden layer" in index
    assert (earlier_site / "example.toml").read_bytes() == \
        sites.example_file("relu").read_bytes()


def test_random_example_builds_with_the_engine_numbers(tmp_path):
    out = tmp_path / "random"
    done = run_build("--random", "7", "--n-in", "3", "--n-hidden", "3", "--m", "2",
                     "--learning-rate", "0.05", out=out)
    assert done.returncode == 0, done.stderr
    # The site carries its example; the engine's trace of that file is the reference.
    trace = run_trace(out / "example.toml")
    assert trace["sizes"] == {"n_in": 3, "n_hidden": 3, "n_out": 2, "m": 2}
    assert trace["learning_rate"] == 0.05
    tokens = math_tokens((out / "wrap-up" / "index.html").read_text(encoding="utf-8"))
    for v in (trace["loss"], trace["loss_after"]):
        assert any(shows(t, v, 4) for t in tokens), v
    # the label is example text: escaped into references, read back as text
    home = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    assert "random draw (seed 7)" in home


def test_plain_mkdocs_build_strict_uses_the_default_example(tmp_path):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("BACKPROP_EXAMPLE", None)
    done = subprocess.run([PY, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "plain")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    home = html.unescape((tmp_path / "plain" / "index.html").read_text())
    assert "examples/default.toml" in home
    assert (tmp_path / "plain" / "assets" / "mathjax" / "tex-mml-chtml.js").is_file()
