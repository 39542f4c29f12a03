"""`mkdocs serve` follows the example file wherever BACKPROP_EXAMPLE names it.

The example here lives outside the project (a temporary folder, not examples/): when it
changes to new numbers, the served pages change, the notebook's page included (its
notebook executed again, in a thread of the server beside the rebuild).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sitecheck import ROOT

BIN = Path(sys.executable).parent


def _get(port: int, page: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{page}", timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(port: int, page: str, text: str, proc: subprocess.Popen,
              seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        html = _get(port, page)
        if html is not None and text in html:
            return True
        time.sleep(0.5)
    return False


def _example(title: str, eta: float) -> str:
    text = (ROOT / "examples" / "default.toml").read_text(encoding="utf-8")
    lines = [f'title = "{title}"' if ln.startswith("title") else
             f"learning_rate = {eta!r}" if ln.startswith("learning_rate") else ln
             for ln in text.splitlines()]
    return "\n".join(lines) + "\n"


def test_serve_rebuilds_when_an_example_outside_the_project_changes(tmp_path):
    example = tmp_path / "elsewhere" / "mine.toml"
    example.parent.mkdir()
    example.write_text(_example("Served from outside one", 0.0371), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BACKPROP_EXAMPLE": str(example), "NO_MKDOCS_2_WARNING": "1"}
    env.pop("BACKPROP_EXAMPLE_LABEL", None)
    proc = subprocess.Popen([str(BIN / "mkdocs"), "serve", "-a",
                             f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_for(port, "", "Served from outside one", proc)
        # new numbers: the watcher polls twice a second, so let a poll see the first file
        time.sleep(1.5)
        example.write_text(_example("Served from outside two", 0.0419), encoding="utf-8")
        assert _wait_for(port, "", "Served from outside two", proc)
        assert _wait_for(port, "notebook/", "Served from outside two", proc)
        wrap_up = _get(port, "wrap-up/")
        assert wrap_up is not None and "0.0419" in wrap_up
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=60)
    assert "ERROR" not in output, output[-3000:]
