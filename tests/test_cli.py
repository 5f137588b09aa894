"""Every command: its help, its one-line summary and its exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradeline.cli import COMMANDS, main
from gradeline.model import Inspection
from gradeline.schema import DOCS_END, DOCS_START, all_models, field_reference, schema_files

from conftest import ROOT, SHIPPED


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=60)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: python build.py {command}")
    assert len(result.stdout.splitlines()) > 4


def test_top_level_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert f"    {command}" in result.stdout


def test_unknown_options_exit_2() -> None:
    assert run("frobnicate").returncode == 2
    assert run("check", "--colour").returncode == 2


def test_check_github_format_and_strict(minimal: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    bad = minimal / "inspections" / "2021-peel.yaml"
    bad.write_text(bad.read_text().replace("kind: peel", "kind: peal"))
    assert main(["check", "--content", str(minimal), "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"::error file={bad},line=5,col=7::kind: 'peal' is not a known kind in "
                   "site.yaml (did you mean 'peel'?) (known: child-protection, peel)"]
    # A file name with a comma or colon, and a message with a percent sign, are escaped as
    # GitHub's workflow commands require; a line break in a value is quoted as \n, so that
    # every message is one line.
    odd = bad.rename(bad.with_name("2021,peel:50%.yaml"))
    odd.write_text(odd.read_text().replace("kind: peal", 'kind: "pe\\nal%"'))
    assert main(["check", "--content", str(minimal), "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    escaped = str(odd).replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
    assert out[0] == (f"::error file={escaped},line=5,col=7::kind: 'pe\\nal%25' is not a safe "
                      "id: use lowercase letters, digits and hyphens, starting and ending with "
                      "a letter or digit, at most 80 characters (e.g. 2021-peel)")
    assert len(out) == 2  # and 2023-peel.yaml's link to the now invalid file: one line each
    bad = odd.rename(bad)
    bad.write_text(bad.read_text().replace('kind: "pe\\nal%"', "kind: peel").replace(
        "    url: https://example.org/report-2021\n", ""))
    assert main(["check", "--content", str(minimal)]) == 0
    assert main(["check", "--content", str(minimal), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "warning: sources.report: source has no url, so readers cannot look it up" in err
    assert "Check failed (--strict): 1 warning in 7 files." in err


def test_new_inspection_writes_a_valid_skeleton_and_never_overwrites(
        minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["new", "inspection", "--content", str(minimal), "--organisation", "test-force",
            "--framework", "peel-2021", "--date", "2025-06-30"]
    assert main(args) == 0
    path = minimal / "inspections" / "2025-06-30-peel.yaml"
    assert capsys.readouterr().out.startswith(f"Wrote {path}")
    text = path.read_text()
    assert text.count("  - area: ") == 3 and "grade: not graded" in text
    assert main(["check", "--content", str(minimal)]) == 0  # valid as written
    path.write_text(text + "# my edits\n")
    assert main(args) == 1
    assert "already exists; not overwriting it" in capsys.readouterr().err
    assert path.read_text().endswith("# my edits\n")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--organisation", "test-forse", "'test-forse' is not a known organisation (did you "
                                         "mean 'test-force'?) (known: test-force)"),
        ("--framework", "peel-2022", "'peel-2022' is not a known framework (did you mean "
                                     "'peel-2021'?) (known: peel-2021)"),
        ("--date", "2025-02-30", "--date: '2025-02-30' is not a real date (February 2025 has "
                                 "28 days)"),
        ("--date", "2025-06", "--date: '2025-06' needs a day: write YYYY-MM-DD"),
    ],
)
def test_new_inspection_refuses_bad_arguments(minimal: Path, capsys: pytest.CaptureFixture[str],
                                              option: str, value: str, message: str) -> None:
    args = {"--organisation": "test-force", "--framework": "peel-2021", "--date": "2025-06-30"}
    args[option] = value
    flat = [x for pair in args.items() for x in pair]
    assert main(["new", "inspection", "--content", str(minimal), *flat]) == 1
    assert capsys.readouterr().err.strip() == f"New failed: {message}"


def test_schema_command_writes_schemas(minimal: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--content", str(minimal), "--docs", str(tmp_path / "none.md")]) == 0
    assert sorted(p.name for p in (minimal / "schemas").iterdir()) == sorted(schema_files())
    assert main(["schema", "--content", str(tmp_path / "missing")]) == 1
    assert main(["serve", "--content", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_shipped_schemas_match_the_model() -> None:
    for name, text in schema_files().items():
        shipped = SHIPPED / "schemas" / name
        assert shipped.read_text(encoding="utf-8") == text, (
            f"{shipped} is out of date: run python build.py schema")


def test_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads(schema_files()["inspection.schema.json"])
    assert schema["additionalProperties"] is False
    assert {"id", "title", "organisation", "inspectorates", "kind", "cite"} <= set(
        schema["required"])
    assert "from" in json.dumps(schema["$defs"]["Amendment"]["properties"])


def test_content_files_name_their_schema() -> None:
    for path in sorted(SHIPPED.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target.is_file(), (path, target)


def test_every_field_has_a_description() -> None:
    missing = [f"{model.__name__}.{name}" for model in all_models()
               for name, info in model.model_fields.items() if not info.description]
    assert missing == []
    assert Inspection in all_models()


def test_editor_guide_reference_is_generated_from_the_model() -> None:
    text = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    block = text[text.index(DOCS_START) + len(DOCS_START): text.index(DOCS_END)]
    assert block.strip() == field_reference().strip(), "run python build.py schema"
