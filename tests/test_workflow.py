"""The GitHub Actions workflow, checked offline: it cannot run here.

actionlint (syntax, expressions, job graph) and zizmor (security: template injection,
persisted credentials, permissions, …) must both pass it, and both must reject a copy
with a known mistake, so a pass means something. Then what the issue asks of it: the
README's test command, the site built with --site-url, least-privilege permissions,
every action pinned by full commit SHA, no expression expanded inside a shell script.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name}: expected it installed by the test extra "
                    "(pip install -e '.[test]'); not found")
    return found


def actionlint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_tool("actionlint"), "-no-color", str(path)],
                          capture_output=True, text=True, timeout=120)


def zizmor(path: Path) -> subprocess.CompletedProcess:
    # --offline: no GitHub API (this machine has no network); every offline audit runs
    return subprocess.run([_tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress",
                           str(path)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_actionlint_passes_the_workflow():
    done = actionlint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_passes_the_workflow():
    done = zizmor(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_both_tools_reject_a_broken_copy(tmp_path):
    text = WORKFLOW.read_text(encoding="utf-8")
    typo = tmp_path / "typo.yml"
    typo.write_text(text.replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n    "
                                 "timeout-minutes: ${{ github.evnt.number }}", 1))
    assert actionlint(typo).returncode != 0
    injected = tmp_path / "injected.yml"
    injected.write_text(text.replace("run: sh scripts/test.sh",
                                     'run: echo "${{ github.event.pull_request.title }}"', 1))
    found = zizmor(injected)
    assert found.returncode != 0 and "template-injection" in found.stdout + found.stderr


def test_it_runs_the_readmes_test_command_and_builds_for_the_repository(workflow):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runs = [s.get("run", "") for s in workflow["jobs"]["test"]["steps"]]
    assert "sh scripts/test.sh" in readme and "sh scripts/test.sh" in runs
    build = next(r for r in runs if "scripts/build.py" in r)
    assert '--site-url "$url"' in build
    env = next(s["env"] for s in workflow["jobs"]["test"]["steps"]
               if "scripts/build.py" in s.get("run", ""))
    assert env["OWNER"] == "${{ github.repository_owner }}"
    assert env["REPO"] == "${{ github.event.repository.name }}"


def test_least_privilege_and_publish_only_from_main(workflow):
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["test"]["permissions"] == {"contents": "read"}
    assert jobs["publish"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in jobs["publish"]["if"]
    assert "pull_request" in jobs["publish"]["if"]
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on` as True


def test_every_action_is_pinned_by_full_sha_and_no_expression_reaches_a_shell(workflow):
    text = WORKFLOW.read_text(encoding="utf-8")
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses, "no actions found"
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), ref
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), step
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False
