"""Emit: staging, the atomic move, the manifest, and hand edits that are never lost."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from scaffold.emit import Change, OutputFile, discard_staging, emit, plan_changes, stage
from scaffold.errors import EmitError, ErrorGroup, ScaffoldError
from scaffold.hashing import sha256_text
from scaffold.manifest import ManifestError

INPUTS = {"spec.yaml": "a" * 64, "scaffold:templates": "b" * 64}
ROWS = "src/shop/rows.py"
QUERIES = "src/shop/queries.py"
FORM = "src/shop/forms/add_book.py"
TEST = "tests/generated/test_queries.py"
LINES = "".join(f"line {i}\n" for i in range(1, 21))


def out(path: str, content: str, unit: str = "queries", writer: str = "template") -> OutputFile:
    return OutputFile(path, content, unit, "c" * 64, writer)


def first_files() -> list[OutputFile]:
    return [
        out(ROWS, "rows = 1\n", "rows"),
        out(QUERIES, LINES),
        out(FORM, "form = 1\n", "forms.add_book", writer="llm"),
        out(TEST, "def test_x() -> None:\n    pass\n", "tests.queries"),
    ]


def replaced(files: list[OutputFile], path: str, content: str) -> list[OutputFile]:
    return [out(f.path, content, f.unit, f.writer) if f.path == path else f for f in files]


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root with its bytes and mtime: equal snapshots mean nothing was touched."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def actions(changes: list[Change]) -> dict[str, str]:
    return {c.path: c.action for c in changes}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    emit(project, first_files(), INPUTS)
    return project


def test_first_run_creates_every_file_and_the_manifest(tmp_path: Path) -> None:
    changes = emit(tmp_path, first_files(), INPUTS, outputs=["src/shop", "tests/generated"])
    assert set(actions(changes).values()) == {"create"}
    assert (tmp_path / QUERIES).read_text() == LINES
    lock = json.loads((tmp_path / ".scaffold/lock.json").read_text())
    assert lock["version"] == 1 and lock["inputs"] == INPUTS
    assert lock["outputs"] == ["src/shop", "tests/generated"]
    assert lock["files"][QUERIES] == {
        "unit": "queries",
        "contract_hash": "c" * 64,
        "writer": "template",
        "model": None,
        "prompt_hash": None,
        "sha256": sha256_text(LINES),
    }
    assert (tmp_path / ".scaffold/base" / f"{QUERIES}.base").read_text() == LINES
    assert [
        p.name for p in (tmp_path / ".scaffold").iterdir() if p.name.startswith("staging")
    ] == []


def test_manifest_text_is_stable_sorted_and_ends_with_a_newline(root: Path) -> None:
    text = (root / ".scaffold/lock.json").read_text()
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_output_folders_default_to_the_top_folders_of_the_files(root: Path) -> None:
    lock = json.loads((root / ".scaffold/lock.json").read_text())
    assert lock["outputs"] == ["src/shop", "tests/generated"]


def test_rerun_touches_nothing_and_keeps_the_manifest_byte_identical(root: Path) -> None:
    before = snapshot(root)
    changes = emit(root, first_files(), INPUTS)
    assert set(actions(changes).values()) == {"unchanged"}
    assert snapshot(root) == before


def test_a_changed_output_is_updated_and_only_it(root: Path) -> None:
    before = snapshot(root)
    changes = emit(root, replaced(first_files(), ROWS, "rows = 2\n"), INPUTS)
    assert actions(changes)[ROWS] == "update"
    assert {a for p, a in actions(changes).items() if p != ROWS} == {"unchanged"}
    after = snapshot(root)
    assert after[ROWS][0] == b"rows = 2\n"
    assert after[QUERIES] == before[QUERIES]
    assert after[".scaffold/base/src/shop/rows.py.base"][0] == b"rows = 2\n"


def test_hand_edited_file_blocks_the_run_and_nothing_changes(root: Path) -> None:
    (root / QUERIES).write_text(LINES.replace("line 3\n", "line 3 edited\n"))
    before = snapshot(root)
    new = replaced(first_files(), QUERIES, LINES + "line 21\n")
    new = replaced(new, ROWS, "rows = 2\n")
    with pytest.raises(EmitError) as caught:
        emit(root, new, INPUTS)
    message = str(caught.value)
    assert "src/shop/queries.py was edited by hand" in message
    assert "+line 3 edited" in message and "-line 3" in message
    assert "--force (keeps a backup) / --merge" in message
    assert snapshot(root) == before


def test_every_blocked_file_is_listed(root: Path) -> None:
    (root / QUERIES).write_text("mine\n")
    (root / ROWS).write_text("mine too\n")
    new = replaced(replaced(first_files(), QUERIES, "new\n"), ROWS, "new rows\n")
    with pytest.raises(ErrorGroup) as caught:
        emit(root, new, INPUTS)
    assert {e.location.file for e in caught.value.errors if e.location} == {QUERIES, ROWS}


def test_a_hand_edit_is_blocked_even_when_the_output_did_not_change(root: Path) -> None:
    (root / ROWS).write_text("rows = 99\n")
    changes = plan_changes(root, first_files())
    assert actions(changes)[ROWS] == "hand-edited"
    with pytest.raises(EmitError):
        emit(root, first_files(), INPUTS)
    assert (root / ROWS).read_text() == "rows = 99\n"


def test_a_hand_edit_equal_to_the_new_output_is_unchanged(root: Path) -> None:
    (root / ROWS).write_text("rows = 2\n")
    changes = emit(root, replaced(first_files(), ROWS, "rows = 2\n"), INPUTS)
    assert actions(changes)[ROWS] == "unchanged"


def test_dry_run_lists_every_action_with_the_diff_of_hand_edits(root: Path) -> None:
    (root / QUERIES).write_text(LINES + "mine\n")
    (root / TEST).unlink()
    (root / "src/shop/new.py").write_text("not scaffold's\n")
    files = [f for f in replaced(first_files(), QUERIES, "new\n") if f.path != FORM]
    files += [out("src/shop/new.py", "x = 1\n"), out("src/shop/state.py", "s = 1\n", "state")]
    changes = plan_changes(root, files)
    assert actions(changes) == {
        ROWS: "unchanged",
        QUERIES: "hand-edited",
        TEST: "user-deleted",
        "src/shop/new.py": "not-generated",
        "src/shop/state.py": "create",
        FORM: "orphan",
    }
    diff = next(c.diff for c in changes if c.path == QUERIES)
    assert diff is not None and "+mine" in diff and "(last generated)" in diff
    assert not (root / "src/shop/state.py").exists()


def test_file_in_the_way_that_scaffold_never_wrote_is_refused(root: Path) -> None:
    (root / "src/shop/state.py").write_text("my own module\n")
    before = snapshot(root)
    with pytest.raises(EmitError, match=r"state\.py is in the way"):
        emit(root, [*first_files(), out("src/shop/state.py", "s = 1\n", "state")], INPUTS)
    assert snapshot(root) == before


def test_file_in_the_way_with_the_same_bytes_is_adopted(root: Path) -> None:
    (root / "src/shop/state.py").write_text("s = 1\n")
    changes = emit(root, [*first_files(), out("src/shop/state.py", "s = 1\n", "state")], INPUTS)
    assert actions(changes)["src/shop/state.py"] == "unchanged"
    assert "src/shop/state.py" in json.loads((root / ".scaffold/lock.json").read_text())["files"]


def test_unedited_orphan_is_deleted_with_its_base_and_empty_folder(root: Path) -> None:
    changes = emit(root, [f for f in first_files() if f.path != FORM], INPUTS)
    assert actions(changes)[FORM] == "orphan"
    assert not (root / FORM).exists() and not (root / "src/shop/forms").exists()
    assert not (root / ".scaffold/base" / f"{FORM}.base").exists()
    assert FORM not in json.loads((root / ".scaffold/lock.json").read_text())["files"]


def test_edited_orphan_is_kept_reported_and_still_owned(root: Path) -> None:
    (root / FORM).write_text("form = 'mine'\n")
    changes = emit(root, [f for f in first_files() if f.path != FORM], INPUTS)
    orphan = next(c for c in changes if c.path == FORM)
    assert orphan.action == "orphan" and orphan.note and "kept" in orphan.note
    assert (root / FORM).read_text() == "form = 'mine'\n"
    assert FORM in json.loads((root / ".scaffold/lock.json").read_text())["files"]


def test_user_deleted_file_is_reported_not_recreated_unless_forced(root: Path) -> None:
    (root / ROWS).unlink()
    changes = emit(root, first_files(), INPUTS)
    assert actions(changes)[ROWS] == "user-deleted"
    assert not (root / ROWS).exists()
    assert actions(emit(root, first_files(), INPUTS))[ROWS] == "user-deleted"
    assert actions(emit(root, first_files(), INPUTS, force=True))[ROWS] == "create"
    assert (root / ROWS).read_text() == "rows = 1\n"


def test_force_overwrites_hand_edits_and_keeps_numbered_backups(root: Path) -> None:
    for n, text in enumerate(["first edit\n", "second edit\n"], start=1):
        (root / QUERIES).write_text(text)
        changes = emit(
            root, replaced(first_files(), QUERIES, f"generated {n}\n"), INPUTS, force=True
        )
        change = next(c for c in changes if c.path == QUERIES)
        backup = f".scaffold/backup/{QUERIES}.{n}"
        assert change.action == "update" and change.note and change.note.endswith(backup)
        assert (root / backup).read_text() == text
        assert (root / QUERIES).read_text() == f"generated {n}\n"


def test_force_replaces_a_file_that_scaffold_never_wrote_with_a_backup(root: Path) -> None:
    (root / "src/shop/state.py").write_text("my own module\n")
    emit(root, [*first_files(), out("src/shop/state.py", "s = 1\n", "state")], INPUTS, force=True)
    assert (root / ".scaffold/backup/src/shop/state.py.1").read_text() == "my own module\n"
    assert (root / "src/shop/state.py").read_text() == "s = 1\n"


def test_merge_keeps_an_edit_that_does_not_clash(root: Path) -> None:
    (root / QUERIES).write_text(LINES.replace("line 2\n", "line 2 mine\n"))
    new = replaced(first_files(), QUERIES, LINES.replace("line 19\n", "line 19 new\n"))
    changes = emit(root, new, INPUTS, merge=True)
    assert actions(changes)[QUERIES] == "merged"
    text = (root / QUERIES).read_text()
    assert "line 2 mine\n" in text and "line 19 new\n" in text and "<<<<<<<" not in text
    # The manifest records the generated output, so the merged file still counts as edited.
    lock = json.loads((root / ".scaffold/lock.json").read_text())
    assert lock["files"][QUERIES]["sha256"] == sha256_text(new[1].content)


def test_merge_leaves_conflict_markers_where_edit_and_output_clash(root: Path) -> None:
    (root / QUERIES).write_text(LINES.replace("line 5\n", "line 5 mine\n"))
    new = replaced(first_files(), QUERIES, LINES.replace("line 5\n", "line 5 new\n"))
    changes = emit(root, new, INPUTS, merge=True)
    change = next(c for c in changes if c.path == QUERIES)
    assert change.action == "conflict" and change.note == "1 conflict(s) marked"
    text = (root / QUERIES).read_text()
    assert "<<<<<<< your edit\nline 5 mine\n=======\nline 5 new\n>>>>>>> new output\n" in text


def test_failure_while_moving_restores_the_previous_tree(root: Path) -> None:
    # A file where a folder must go: the first moves succeed, then one fails.
    (root / "tests/generated/sub").write_text("a file, not a folder\n")
    before = snapshot(root)
    new = replaced(replaced(first_files(), ROWS, "rows = 2\n"), QUERIES, "q = 2\n")
    new.append(out("tests/generated/sub/test_more.py", "x = 1\n", "tests.more"))
    with pytest.raises(EmitError, match="previous files were restored"):
        emit(root, new, INPUTS)
    assert snapshot(root) == before


def test_a_folder_at_a_target_path_fails_even_when_forced_and_changes_nothing(root: Path) -> None:
    (root / ROWS).unlink()
    (root / ROWS).mkdir()
    before = snapshot(root)
    new = replaced(replaced(first_files(), QUERIES, "q = 2\n"), ROWS, "rows = 2\n")
    assert actions(plan_changes(root, new))[ROWS] == "not-generated"
    with pytest.raises(EmitError):
        emit(root, new, INPUTS, force=True)
    assert snapshot(root) == before and (root / ROWS).is_dir()


@pytest.mark.parametrize(
    ("error", "expected"),
    [(OSError(28, "No space left on device"), EmitError), (KeyboardInterrupt(), KeyboardInterrupt)],
)
def test_failure_of_any_move_is_undone(
    root: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, expected: type
) -> None:
    before = snapshot(root)
    real = os.replace
    calls = {"n": 0}

    def flaky(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise error
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    new = [out(f.path, f"changed {f.path}\n", f.unit, f.writer) for f in first_files()]
    with pytest.raises(expected):
        emit(root, new, INPUTS)
    monkeypatch.undo()
    assert calls["n"] > 5  # files had been moved before the failure, and were moved back
    assert snapshot(root) == before
    assert not [p for p in (root / ".scaffold").iterdir() if p.name.startswith("staging")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not a valid manifest"),
        ('{"version": 1}', "is not a valid manifest"),
        ('{"version": 9, "inputs": {}, "files": {}}', "newer scaffold"),
    ],
)
def test_bad_manifest_is_bad_input_and_overwrites_nothing(
    root: Path, text: str, message: str
) -> None:
    (root / ".scaffold/lock.json").write_text(text)
    before = snapshot(root)
    with pytest.raises(ManifestError, match=message) as caught:
        emit(root, replaced(first_files(), ROWS, "rows = 2\n"), INPUTS)
    assert caught.value.exit_code == 2
    assert snapshot(root) == before


def test_gitattributes_collapses_template_files_and_keeps_the_users_lines(tmp_path: Path) -> None:
    (tmp_path / ".gitattributes").write_text("*.sql text eol=lf\n")
    emit(tmp_path, first_files(), INPUTS)
    text = (tmp_path / ".gitattributes").read_text()
    assert text.startswith("*.sql text eol=lf\n# >>> scaffold")
    assert f"/{ROWS} eol=lf linguist-generated=true\n" in text
    assert f"/{FORM} eol=lf\n" in text  # LLM-written: not collapsed, reviewers must see it
    emit(tmp_path, [f for f in first_files() if f.path != ROWS], INPUTS)
    text = (tmp_path / ".gitattributes").read_text()
    assert ROWS not in text and text.count("# >>> scaffold") == 1
    assert text.startswith("*.sql text eol=lf\n")


def test_git_reads_the_attributes_as_meant(tmp_path: Path) -> None:
    spaced = out("src/shop/with space.py", "x = 1\n", "odd")
    starred = out('src/shop/a*"b".py', "x = 1\n", "odd")
    emit(tmp_path, [*first_files(), spaced, starred], INPUTS)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    paths = [ROWS, FORM, spaced.path, starred.path, ".scaffold/lock.json", "src/shop/aX.py"]
    attrs = subprocess.run(
        ["git", "check-attr", "linguist-generated", "eol", "--", *paths],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert attrs.splitlines() == [
        f"{ROWS}: linguist-generated: true",
        f"{ROWS}: eol: lf",
        f"{FORM}: linguist-generated: unspecified",
        f"{FORM}: eol: lf",
        f"{spaced.path}: linguist-generated: true",
        f"{spaced.path}: eol: lf",
        '"src/shop/a*\\"b\\".py": linguist-generated: true',  # git quotes it in its answer
        '"src/shop/a*\\"b\\".py": eol: lf',
        ".scaffold/lock.json: linguist-generated: true",
        ".scaffold/lock.json: eol: lf",
        "src/shop/aX.py: linguist-generated: unspecified",  # the * matches nothing else
        "src/shop/aX.py: eol: unspecified",
    ]


def test_extension_module_is_created_once_and_never_rewritten(tmp_path: Path) -> None:
    ext = OutputFile(
        "src/shop/extend.py", "# yours\n", "extension", "d" * 64, "template", once=True
    )
    assert actions(emit(tmp_path, [*first_files(), ext], INPUTS))[ext.path] == "create"
    (tmp_path / ext.path).write_text("def hook() -> None: ...\n")
    staged = stage(tmp_path, [ext])
    assert (staged / ext.path).read_text() == "def hook() -> None: ...\n"
    discard_staging(staged)
    changed = OutputFile(ext.path, "# new default\n", "extension", "e" * 64, "template", once=True)
    assert actions(emit(tmp_path, [*first_files(), changed], INPUTS))[ext.path] == "unchanged"
    assert (tmp_path / ext.path).read_text() == "def hook() -> None: ...\n"
    lock = json.loads((tmp_path / ".scaffold/lock.json").read_text())
    assert ext.path not in lock["files"] and lock["extensions"] == [ext.path]


def test_stage_mirrors_the_layout_and_discard_leaves_no_trace(tmp_path: Path) -> None:
    staged = stage(tmp_path, first_files())
    assert staged.parent == tmp_path / ".scaffold"
    assert (staged / QUERIES).read_text() == LINES
    discard_staging(staged)
    assert list(tmp_path.iterdir()) == []


def test_emit_moves_the_staged_tree_and_writes_what_was_planned(tmp_path: Path) -> None:
    staged = stage(tmp_path, first_files())
    (staged / ROWS).write_text("changed by a test run\n")  # the staged copy is not trusted
    (staged / "tests/generated/scratch.db").write_bytes(b"junk")
    emit(tmp_path, first_files(), INPUTS, staged=staged)
    assert not staged.exists()
    assert (tmp_path / ROWS).read_text() == "rows = 1\n"
    assert not (tmp_path / "tests/generated/scratch.db").exists()


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.py", ".scaffold/lock.json", ".git/x"])
def test_output_paths_must_stay_inside_the_project(tmp_path: Path, path: str) -> None:
    with pytest.raises(ScaffoldError, match="bad or duplicate output path"):
        emit(tmp_path, [out(path, "x = 1\n")], INPUTS)
    assert list(tmp_path.iterdir()) == []


def test_replace_file_writes_whole_files_from_many_threads(tmp_path: Path) -> None:
    """The caches' writer: threads writing the same and other files leave each one whole, and
    no private file behind; a failed write leaves the old file as it was."""
    from concurrent.futures import ThreadPoolExecutor

    from scaffold.atomic import replace_file

    target = tmp_path / "cache" / "entry"
    payloads = [bytes([i]) * 100_000 for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda data: replace_file(target, data), payloads))
    assert target.read_bytes() in payloads
    assert [p.name for p in target.parent.iterdir()] == ["entry"]

    with pytest.raises(TypeError):  # the write fails halfway
        replace_file(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() in payloads
    assert [p.name for p in target.parent.iterdir()] == ["entry"]
