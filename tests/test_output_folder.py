"""No command deletes or overwrites a folder that Curtain did not write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.io.folders import atomic_directory, check_output_folder, curtain_kind, is_own_temporary, marker_text
from sim import OutputError
from sim.cli import app

TINY = ["--set", "network.rows=5", "--set", "network.cols=5", "--set", "demand.trips=40",
        "--set", "cameras.count=4", "--set", "metrics.pair_samples=20", "--set", "output.figures=false"]
REFUSAL = "was not written by Curtain"


def user_folder(root: Path) -> tuple[Path, dict[str, bytes]]:
    """A researcher's folder: a file and a subfolder, with their bytes."""
    folder = root / "mydocs"
    (folder / "chapters").mkdir(parents=True)
    files = {"thesis.txt": b"four years of work\n", "chapters/one.md": b"# One\n"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder, files


def assert_untouched(folder: Path, files: dict[str, bytes]) -> None:
    found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert found == sorted(files)
    for name, data in files.items():
        assert (folder / name).read_bytes() == data


def reads_csv(root: Path) -> Path:
    path = root / "reads.csv"
    path.write_text("plate,timestamp,camera\nA,2021-10-01 08:00:00,c1\nA,2021-10-02 08:00:00,c2\n"
                    "B,2021-10-01 09:00:00,c1\n")
    return path


def sweep_toml(root: Path) -> Path:
    path = root / "sweep.toml"
    path.write_text('seeds = [1]\n[set]\n"network.rows" = 5\n"network.cols" = 5\n"demand.trips" = 40\n'
                    '"metrics.pair_samples" = 20\n"output.figures" = false\n[axes]\n"cameras.count" = [3]\n')
    return path


def command(name: str, root: Path, out: Path) -> list[str]:
    """The command line of ``name`` writing into ``out``."""
    if name == "run":
        return ["run", "-o", str(out), *TINY]
    if name == "analyze":
        return ["analyze", str(reads_csv(root)), "-o", str(out)]
    if name == "sweep":
        return ["sweep", str(sweep_toml(root)), "-o", str(out), "--workers", "1"]
    return ["plot", str(out)]


@pytest.mark.parametrize("name", ["run", "analyze", "sweep", "plot"])
def test_a_users_folder_survives_every_command(tmp_path, name):
    folder, files = user_folder(tmp_path)
    if name == "plot":  # a folder that looks like a run (a scenario file of the user's) but is not Curtain's
        files["scenario.toml"] = b"name = 'mine'\n"
        (folder / "scenario.toml").write_bytes(files["scenario.toml"])
    result = CliRunner().invoke(app, command(name, tmp_path, folder))
    assert result.exit_code == 1, result.output
    assert (REFUSAL if name != "plot" else "not a folder written by") in result.output
    assert "Traceback" not in result.output
    assert_untouched(folder, files)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


@pytest.mark.parametrize("name", ["run", "analyze", "sweep"])
def test_an_empty_folder_is_used_and_marked(tmp_path, name):
    out = tmp_path / "empty"
    out.mkdir()
    result = CliRunner().invoke(app, command(name, tmp_path, out))
    assert result.exit_code == 0, result.output
    assert (out / "metrics.json").is_file() or (out / "sweep.parquet").is_file()
    assert curtain_kind(out) == {"run": "run", "analyze": "analysis", "sweep": "sweep"}[name]


def test_a_second_run_replaces_curtains_files_and_keeps_the_users(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, [*command("run", tmp_path, out)[:-2], "--set", "output.figures=true"]).exit_code == 0
    first = set(json.loads((out / ".curtain").read_text())["files"])
    assert {"metrics.json", "figures/map.png", "map.html"} <= first
    (out / "my_notes.md").write_bytes(b"what I saw\n")
    (out / "my-analysis" / "deep").mkdir(parents=True)
    (out / "my-analysis" / "deep" / "fit.csv").write_bytes(b"a,b\n1,2\n")
    (out / "figures" / "my-sketch.png").write_bytes(b"\x89PNG mine")  # inside a folder Curtain writes
    (out / "figures" / "map.png").write_bytes(b"overwritten by the user, still Curtain's file")
    result = runner.invoke(app, [*command("run", tmp_path, out), "--set", "seed=5"])  # no figures this time
    assert result.exit_code == 0, result.output
    assert json.loads((out / "metrics.json").read_text())["seed"] == 5
    assert (out / "my_notes.md").read_bytes() == b"what I saw\n"
    assert (out / "my-analysis" / "deep" / "fit.csv").read_bytes() == b"a,b\n1,2\n"
    assert (out / "figures" / "my-sketch.png").read_bytes() == b"\x89PNG mine"
    assert not (out / "figures" / "map.png").exists() and not (out / "map.html").exists()  # Curtain's, not rewritten
    assert "my_notes.md" in result.output and "my-analysis" in result.output
    second = set(json.loads((out / ".curtain").read_text())["files"])
    assert "metrics.json" in second and not {"my_notes.md", "figures/my-sketch.png"} & second
    # and a third run carries them again (the marker lists only Curtain's files)
    assert runner.invoke(app, command("run", tmp_path, out)).exit_code == 0
    assert (out / "my_notes.md").is_file() and (out / "my-analysis" / "deep" / "fit.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_a_users_file_named_like_a_new_output_stops_the_rerun_and_loses_nothing(tmp_path):
    out = tmp_path / "out"
    with atomic_directory(out) as tmp:
        (tmp / "metrics.json").write_text("{}")
    (out / "report.html").write_text("my own report")
    with pytest.raises(OutputError, match="report.html is yours"):
        with atomic_directory(out) as tmp:
            (tmp / "metrics.json").write_text("{}")
            (tmp / "report.html").write_text("Curtain's report")
    assert (out / "report.html").read_text() == "my own report" and (out / "metrics.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_older_marker_without_a_list_keeps_what_the_new_run_does_not_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".curtain").write_text(json.dumps({"written_by": "curtain", "kind": "run", "format": 1}))
    (out / "metrics.json").write_text("old")
    (out / "notes.md").write_text("mine")
    with atomic_directory(out) as tmp:
        (tmp / "metrics.json").write_text("new")
    assert (out / "metrics.json").read_text() == "new" and (out / "notes.md").read_text() == "mine"


def test_run_refuses_analysis_folder_and_the_reverse(tmp_path):
    runner = CliRunner()
    analysis = tmp_path / "analysis"
    assert runner.invoke(app, command("analyze", tmp_path, analysis)).exit_code == 0
    before = (analysis / "metrics.json").read_bytes()
    result = runner.invoke(app, command("run", tmp_path, analysis))
    assert result.exit_code == 1 and "analysis output, not a run" in result.output
    assert (analysis / "metrics.json").read_bytes() == before
    # helper-38: plot called an analysis "not a folder written by" Curtain; it says which command redraws it
    result = runner.invoke(app, ["plot", str(analysis)])
    assert result.exit_code == 1 and "a folder written by `curtain analyze`, whose figures `curtain analyze` draws " \
        "again" in " ".join(result.output.split())


def test_a_symlink_to_a_users_folder_is_not_followed_into_deletion(tmp_path):
    folder, files = user_folder(tmp_path)
    link = tmp_path / "out"
    link.symlink_to(folder, target_is_directory=True)
    result = CliRunner().invoke(app, command("run", tmp_path, link))
    assert result.exit_code == 1 and REFUSAL in result.output
    assert link.is_symlink() and os.readlink(link) == str(folder)
    assert_untouched(folder, files)


def test_a_symlink_to_a_curtain_folder_stays_a_link(tmp_path):
    real = tmp_path / "real"
    runner = CliRunner()
    assert runner.invoke(app, command("run", tmp_path, real)).exit_code == 0
    link = tmp_path / "out"
    link.symlink_to(real, target_is_directory=True)
    result = runner.invoke(app, [*command("run", tmp_path, link), "--set", "seed=5"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and json.loads((real / "metrics.json").read_text())["seed"] == 5


def test_the_current_folder_is_refused(tmp_path, monkeypatch):
    folder, files = user_folder(tmp_path)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, command("run", tmp_path, Path(".")))
    assert result.exit_code == 1 and "current folder" in result.output
    assert_untouched(folder, files)


def test_a_file_as_output_is_refused(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    with pytest.raises(OutputError, match="is not a folder"):
        with atomic_directory(target):
            pass
    assert target.read_text() == "mine"


def test_a_folder_that_appears_during_the_run_is_not_replaced(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=REFUSAL):
        with atomic_directory(out) as tmp:
            (tmp / "metrics.json").write_text("{}")
            out.mkdir()
            (out / "thesis.txt").write_text("written meanwhile")
    assert (out / "thesis.txt").read_text() == "written meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_sweep_cleans_only_its_own_temporaries(tmp_path):
    out = tmp_path / "sweep"
    runner = CliRunner()
    assert runner.invoke(app, command("sweep", tmp_path, out)).exit_code == 0
    runs = out / "runs"
    killed = runs / ".x.abc.tmp"  # what a killed run leaves: atomic_directory's marked temporary
    killed.mkdir()
    (killed / ".curtain").write_text(marker_text("run"))
    users = runs / ".notes.tmp"  # a user's hidden folder with the same shape of name, no marker
    users.mkdir()
    (users / "keep.txt").write_text("mine")
    assert is_own_temporary(killed, "run") and not is_own_temporary(users, "run")
    result = runner.invoke(app, command("sweep", tmp_path, out))
    assert result.exit_code == 0, result.output
    assert not killed.exists()
    assert (users / "keep.txt").read_text() == "mine"


def test_plot_redraws_into_curtains_own_run(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, [*command("run", tmp_path, out)[:-2], "--set", "output.figures=true"]).exit_code == 0
    (out / "figures" / "coverage.png").unlink()
    result = runner.invoke(app, ["plot", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "figures" / "coverage.png").is_file()
    assert "figures/coverage.png" in json.loads((out / ".curtain").read_text())["files"]


def test_a_folder_from_curtain_0_1_is_recognised(tmp_path):
    """Runs written before the marker: run.json naming the folder itself as out_dir."""
    out = tmp_path / "old"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"started_utc": "2026-01-01T00:00:00+00:00", "wall_time_s": {},
                                              "out_dir": str(out.resolve())}))
    assert curtain_kind(out) == "run"
    moved = tmp_path / "copy"
    moved.mkdir()
    (moved / "run.json").write_text((out / "run.json").read_text())  # names another folder: not recognised
    assert curtain_kind(moved) is None


@pytest.mark.parametrize("name", ["run", "analyze", "sweep"])
def test_a_folder_that_cannot_be_made_is_refused_before_any_work(tmp_path, name, monkeypatch):
    """An output below a file (no folder can be made there) is refused by the check every command makes before
    it works: the simulation, the analysis or the sweep never starts, and nothing is left behind."""
    (tmp_path / "a-file").write_text("mine")
    started = []
    monkeypatch.setattr("sim.runner.simulate_scenario", lambda *a, **k: started.append(a))
    monkeypatch.setattr("sim.analyze.read_reads_file", lambda *a, **k: started.append(a))
    result = CliRunner().invoke(app, command(name, tmp_path, tmp_path / "a-file" / "out"))
    assert result.exit_code == 1, result.output
    assert f"cannot write in {tmp_path / 'a-file'}" in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output and started == []
    assert (tmp_path / "a-file").read_text() == "mine"


def test_a_folder_below_a_broken_link_is_refused_before_any_work(tmp_path):
    """``link/out`` where ``link`` points at nothing: no folder can be made below it (mkdir of the link fails),
    so the check refuses it, not the write after the run with a raw FileExistsError."""
    (tmp_path / "link").symlink_to(tmp_path / "gone" / "x")
    with pytest.raises(OutputError, match=f"cannot write in {tmp_path / 'link'}"):
        check_output_folder(tmp_path / "link" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"]


def test_a_new_folder_below_folders_not_made_yet_is_checked_where_they_begin(tmp_path):
    """``a/b/out`` where neither ``a`` nor ``b`` exists yet: the run will make them, so the check probes the
    nearest folder that exists (``tmp_path``, writable) and accepts the target, leaving nothing behind (no ``a``,
    no probe folder)."""
    target = tmp_path / "a" / "b" / "out"
    assert check_output_folder(target) == target
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_place_is_refused_with_the_systems_reason_in_words(tmp_path):
    """``a-file/out``: the probe folder would be made inside a file, which the system refuses with ENOTDIR. The
    message names the target, the folder it could not write in, the reason in words (``os.strerror(ENOTDIR)``,
    "Not a directory" on Linux, not the raw ``[Errno 20] …: '<probe path>'``) and the option to choose another."""
    import errno

    (tmp_path / "a-file").write_text("mine")
    target = tmp_path / "a-file" / "out"
    with pytest.raises(OutputError) as caught:
        check_output_folder(target)
    assert str(caught.value) == (f"{target}: cannot write in {tmp_path / 'a-file'} ({os.strerror(errno.ENOTDIR)}); "
                                 "choose a folder you can write to (-o / --out)")
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"] and (tmp_path / "a-file").read_text() == "mine"
