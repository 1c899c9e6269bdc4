"""The data registry (sim/datasets.toml, sim.data): every dataset named once, found in CURTAIN_DATA, the cache
or by a download, checked by sha256; missing ones stop a run with one line."""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
from functools import partial

import pytest
from typer.testing import CliRunner

import sim.data
from sim.cli import app
from sim.data import DATA_ENV, DOWNLOAD_ENV, DataError, dataset, datasets, fetch, resolve_reference

from conftest import PROJECT

#: Every text a user or a test reads data from: scenario files, notebooks, the README, the docs.
SOURCES = [*PROJECT.glob("scenarios/*.toml"), *PROJECT.glob("notebooks/*.ipynb"), PROJECT / "README.md",
           *PROJECT.glob("docs/*.md"), *PROJECT.glob("docs/*.py"), *PROJECT.glob("tests/*.py"),
           *PROJECT.glob("sim/scenarios/*.toml")]


def test_every_data_reference_names_a_registry_entry():
    named = set()
    for path in SOURCES:
        for name in re.findall(r"data:([a-z0-9][a-z0-9-]*)", path.read_text(encoding="utf-8")):
            assert name in datasets(), f"{path.name} names data:{name}, which the registry does not hold"
            named.add(name)
    assert {"sioux-falls-net", "sioux-falls-trips", "seattle-spd-reads"} <= named


def test_nothing_reads_the_shared_folder_by_path():
    """Scenarios, notebooks and tests name datasets; none reaches into ../shared/data by a path."""
    for path in SOURCES:
        if path.name == "test_data.py":  # (this file spells the patterns out)
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.\./(\.\./)?shared/data/\w", text), f"{path.name} reads ../shared/data by path"
        assert "CURTAIN_SHARED_DATA" not in text, path.name


def test_the_registry_entries_are_whole():
    for name, entry in datasets().items():
        assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256), name
        assert entry.url.startswith("https://") and entry.licence and entry.citation and entry.title, name
        assert not entry.path.startswith("/") and ".." not in entry.path, name


def test_the_files_in_curtain_data_are_the_registrys(monkeypatch):
    """Each file's sha256, computed here with hashlib, is the registry's (what fetch checks)."""
    import os

    folder = os.environ.get(DATA_ENV)
    if not folder:
        pytest.skip(f"{DATA_ENV} is not set")
    from pathlib import Path

    checked = 0
    for entry in datasets().values():
        path = Path(folder) / entry.path
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256, entry.name
            assert fetch(entry.name) == path
            checked += 1
    assert checked == len(datasets())


def test_missing_and_offline_is_one_line_naming_the_dataset_the_folder_and_the_url(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(DOWNLOAD_ENV, "0")
    with pytest.raises(DataError) as info:
        fetch("sioux-falls-net")
    message = str(info.value)
    assert "\n" not in message
    assert "'sioux-falls-net'" in message and DATA_ENV in message and dataset("sioux-falls-net").url in message
    with pytest.raises(DataError, match="no direct download"):
        fetch("us-alpr-osm")
    with pytest.raises(DataError, match="did you mean sioux-falls-net"):
        fetch("sioux-fals-net")
    # helper-38: a CURTAIN_DATA that names no folder said only that the dataset was missing
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="nowhere is no folder \\(check the path\\)"):
        fetch("sioux-falls-net")


def test_a_file_that_is_not_the_registrys_is_refused(monkeypatch, tmp_path):
    entry = dataset("sioux-falls-node")
    (tmp_path / entry.path).parent.mkdir(parents=True)
    (tmp_path / entry.path).write_text("not the Sioux Falls nodes\n")
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    with pytest.raises(DataError, match="sha256 differs"):
        fetch("sioux-falls-node")


def test_a_download_lands_in_the_cache_checked_and_is_found_there_next_time(monkeypatch, tmp_path, data):
    """Served from this machine (a test never reaches the internet): pooch fetches it, checks the hash, and the
    next lookup finds it in the cache without downloading."""
    source = data("sioux-falls-node")
    served = tmp_path / "served"
    served.mkdir()
    (served / "nodes.tntp").write_bytes(source.read_bytes())
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        entry = dataset("sioux-falls-node")
        local = sim.data.Dataset(**{**entry.__dict__, "url": f"http://127.0.0.1:{server.server_port}/nodes.tntp"})
        real = sim.data.datasets
        monkeypatch.setattr(sim.data, "datasets", lambda: {**real(), entry.name: local})
        monkeypatch.delenv(DATA_ENV, raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        got = fetch(entry.name, download=True)
        assert got == tmp_path / "cache" / "curtain" / entry.path
        assert got.read_bytes() == source.read_bytes()
        assert fetch(entry.name, download=False) == got  # downloads off: the cache answers
        # a file that changed upstream is refused by its hash, and not kept
        got.unlink()
        (served / "nodes.tntp").write_text("changed upstream\n")
        with pytest.raises(DataError, match="not the one Curtain knows"):
            fetch(entry.name, download=True)
        assert not got.exists()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name, needs", [("sioux-falls", "sioux-falls-net"), ("piedmont-ring", "piedmont-ca"),
                                         ("lower-manhattan-ring", "lower-manhattan-ny")])
def test_a_data_backed_scenario_without_its_data_fails_in_one_line(monkeypatch, tmp_path, name, needs):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(DOWNLOAD_ENV, "0")
    result = CliRunner().invoke(app, ["run", str(PROJECT / "scenarios" / f"{name}.toml"), "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert f"'{needs}'" in result.output and DATA_ENV in result.output, result.output
    assert dataset(needs).url in result.output.replace("\n", "")
    assert "Traceback" not in result.output and len(lines) <= 4, result.output
    assert not (tmp_path / "out").exists()


def test_resolve_reference_and_data_list(data):
    path = data("piedmont-ca")
    assert resolve_reference("data:piedmont-ca") == str(path)
    result = CliRunner().invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    assert "piedmont-ca" in result.output and DATA_ENV in result.output


def test_the_notebooks_name_data_through_the_registry():
    for path in PROJECT.glob("notebooks/*.ipynb"):
        code = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        assert "shared" not in code.replace("shared_", ""), path.name
