"""The command line as a new user meets it (#36): the scenario library, help that names things one way, output
that reads the same piped as on a terminal, warnings and errors as sentences, Ctrl-C, and a run's summary."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from sim.cli import app

from conftest import PROJECT

TINY = ["network.rows=6", "network.cols=6", "demand.trips=200", "cameras.count=4", "metrics.pair_samples=20"]


def _sets(overrides):
    return [x for o in overrides for x in ("--set", o)]


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def _help(path, width=100):
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=width)
    assert result.exit_code == 0, (path, result.output)
    return result.output


# --- curtain list, and a scenario by its name -------------------------------------------------------------------

def test_list_shows_every_library_scenario_with_the_line_heading_its_file():
    result = CliRunner().invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    files = sorted((PROJECT / "scenarios").glob("*.toml"))
    assert len(files) >= 10
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        name, heading = first.removeprefix("# ").split(" — ", 1)
        assert name == path.stem
        row = [line for line in lines if line.split(" ")[0] == path.stem]
        assert len(row) == 1 and heading in row[0], (path.stem, result.output)
    assert "curtain run NAME" in result.output


def test_a_library_scenario_runs_by_its_name_and_an_unknown_name_says_where_names_are(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no river-city file here: the name is the library's
    result = CliRunner().invoke(app, ["validate", "river-city", *_sets(["demand.trips=100"])])
    assert result.exit_code == 0, result.output
    assert "ok (scenario 'river-city'" in result.output
    result = CliRunner().invoke(app, ["run", "rivercity"])
    assert result.exit_code == 1
    assert "rivercity: no such scenario file, nor a scenario of that name in the library" in result.output
    assert "did you mean 'river-city'?" in result.output  # (the library's closest name)
    assert "curtain list" in result.output and not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["run", "nothing-like-any"])
    assert result.exit_code == 1 and "did you mean" not in result.output and "curtain list" in result.output
    result = CliRunner().invoke(app, ["run", "norfolk-osm"])  # (one of the library's examples: given by its path)
    assert result.exit_code == 1 and "the library's examples have it: give" in result.output
    assert "norfolk-osm.toml" in result.output.replace("\n", "")


def test_validate_without_a_scenario_checks_the_one_run_would_run(tmp_path, monkeypatch):
    """`curtain run` alone runs the built-in teaching-grid; `curtain validate` alone checks that same scenario
    (it used to demand an argument)."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("teaching-grid: ok (scenario 'teaching-grid', seed 7;")



def test_sample_share_set_alone_is_said_to_relabel_the_fleet_not_to_sample_it(tmp_path, monkeypatch):
    """helper-35's new user ran norfolk-curtain with --set demand.sample_share=0.05 alone: the 197,500 vehicles
    were all simulated, then reported as 5 % of a 3.95 M fleet (reads per camera per day, whole fleet: 7,296 where
    the scenario says 365), silently. validate (and run) now say so, with the vehicles that would sample it; with
    the vehicles set as well (the scenario's quick look) nothing is said."""
    monkeypatch.chdir(tmp_path)
    alone = CliRunner().invoke(app, ["validate", "norfolk-curtain", "--set", "demand.sample_share=0.05"])
    assert alone.exit_code == 0, alone.output
    text = " ".join(alone.output.split())
    assert ("warning: norfolk-curtain: demand.sample_share=0.05 says that the 197,500 simulated vehicles are 5 % of "
            "the real fleet, a fleet of 3,950,000 where the file's sample_share (1) makes it 197,500") in text, text
    assert "also set demand.vehicles=9875." in text
    # a file that already samples (seattle-patrol: 12,200 vehicles at 0.02, a fleet of 610,000): a 50 % sample of
    # its fleet is 305,000 vehicles (helper-37: the advice said 6,100, from the vehicles as if they were the fleet)
    other = CliRunner().invoke(app, ["validate", "seattle-patrol", "--set", "demand.sample_share=0.5"])
    said = " ".join(other.output.split())
    assert "a fleet of 24,400 where the file's sample_share (0.02) makes it 610,000" in said, said
    assert "also set demand.vehicles=305000." in said
    tiny = CliRunner().invoke(app, ["validate", "norfolk-curtain", "--set", "demand.sample_share=0.001"])
    assert "are 0.1 % of the real fleet" in " ".join(tiny.output.split())
    both = CliRunner().invoke(app, ["validate", "norfolk-curtain", "--set", "demand.sample_share=0.05",
                                    "--set", "demand.vehicles=9875"])
    assert both.exit_code == 0 and "warning" not in both.output, both.output


def test_an_unknown_dataset_is_named_with_the_scenario_file_that_asks_for_it(tmp_path):
    """helper-35: a path of an unknown dataset said only "no dataset named 'no-such-dataset' in Curtain's
    registry", naming neither the file nor where it was asked for. The error names the scenario file."""
    scenario = tmp_path / "city.toml"
    unknown = "data:" + "no-such-dataset"  # (spelt in two: test_data checks that every reference it finds exists)
    scenario.write_text(f'name = "city"\n[network]\nsource = "osm_file"\npath = "{unknown}"\n[cameras]\ncount = 5\n')
    result = CliRunner().invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 1
    assert (f"error: {scenario}: no dataset named 'no-such-dataset' in Curtain's registry; `curtain data list` "
            "lists them") in " ".join(result.output.split()), result.output

# --- help: one name for one kind of argument ----------------------------------------------------------------------

def _metavars(text):
    """The metavars a help text shows: its usage line's arguments, and each option's value."""
    usage = text.split("\n\n", 1)[0].replace("\n", " ")
    found = {m.strip("[]{}") for m in usage.split("[OPTIONS]", 1)[-1].split() if m != "COMMAND" and m != "[ARGS]..."}
    for line in text.split("Options:", 1)[-1].splitlines():
        option = re.match(r"\s+(?:-\w, )?(--[\w-]+) (\S+)\s", line + " ")
        if option:
            found.add(option.group(2))
    return found


def test_every_metavar_names_its_kind_one_way():
    """Across every command's help: metavars are upper case; every path is a SCENARIO, a *_FILE or a *_FOLDER;
    one flag takes one kind of value everywhere (an --out writes a FOLDER, or explore's one HTML_FILE)."""
    by_flag: dict[str, set[str]] = {}
    shown_everywhere: set[str] = set()
    for path, command in COMMANDS:
        text = _help(path)
        shown = _metavars(text)
        shown_everywhere |= shown
        for param in command.params:
            if param.name == "help" or getattr(param, "is_flag", False):
                continue
            metavar = param.metavar
            assert metavar is not None, (path, param.name)  # never typer's default (the lower-case parameter name)
            assert metavar in shown, (path, metavar, text)
            if param.bare_type() == "Path":
                assert all(re.fullmatch(r"SCENARIO|[A-Z]+_FILE|([A-Z]+_)?FOLDER", kind)
                           for kind in metavar.split("|")), (path, metavar)
            if param.param_type_name == "option":
                by_flag.setdefault(param.opts[-1], set()).add(metavar)
    assert all(re.fullmatch(r"[A-Z][A-Z_,]*(\|[A-Z][A-Z_]*)*|KEY=VALUE", m) for m in shown_everywhere), \
        shown_everywhere
    assert {flag: kinds for flag, kinds in by_flag.items() if len(kinds) > 1} == {"--out": {"FOLDER", "HTML_FILE"}}
    for path in (("run",), ("validate",)):
        assert "SCENARIO" in _metavars(_help(path))
    assert "SCENARIO|RUN_FOLDER" in _metavars(_help(("explore",)))
    for path in (("plot",), ("query", "plate"), ("query", "agencies"), ("query", "per-camera")):
        assert "RUN_FOLDER" in _metavars(_help(path))


def test_every_command_summary_is_a_whole_sentence():
    """Click cuts a summary at its first ". ": an "e.g. " inside one left "(e.g." in `curtain --help`."""
    for path in [(), *(p for p, c in COMMANDS if hasattr(c, "commands"))]:
        listing = _help(path, width=250).split("Commands:", 1)[1]
        for line in listing.strip().splitlines():
            summary = line.split(None, 1)[1]
            assert summary.count("(") == summary.count(")") and not summary.endswith("..."), (path, line)


def test_run_and_sweep_have_the_same_workers_default_and_say_why():
    commands = dict(COMMANDS)
    defaults = {name: next(p.default for p in commands[(name,)].params if p.name == "workers")
                for name in ("run", "sweep")}
    assert defaults == {"run": 1, "sweep": 1}
    for name in ("run", "sweep"):
        text = " ".join(_help((name,), width=250).split())
        assert "Default 1, in run and sweep alike: one run's memory at a time" in text
        assert "[default: 1; x>=1]" in text


# --- output off a terminal, warnings, errors ---------------------------------------------------------------------

def test_piped_output_never_breaks_a_line(tmp_path):
    """Off a terminal rich would wrap at 80 columns, in the middle of a path or a word."""
    deep = tmp_path / ("a-folder-with-a-long-name-" * 4) / "my-scenario-with-a-long-name.toml"
    deep.parent.mkdir()
    deep.write_text("name = 'x'\n[network]\nrows = 5\ncols = 5\n[cameras]\ncount = 3\n")
    result = CliRunner().invoke(app, ["validate", str(deep)])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith(str(deep)))
    assert len(line) > 200 and line.startswith(f"{deep}: ok (scenario 'x', seed 0; ") and line.endswith(")")


def test_warnings_read_as_sentences(tmp_path):
    path = tmp_path / "reads.csv"
    path.write_text("plate;timestamp;camera\nAB123;2021-10-01 08:00:00;cam-1\nAB123;yesterday;cam-1\n"
                    "CD456;2021-10-02 09:00:00;cam-2\n")
    result = CliRunner().invoke(app, ["analyze", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"warning: {path}: 1 row left out (missing plate or unreadable timestamp)" in result.output
    assert "WARNING" not in result.output and "sim.analyze" not in result.output


@pytest.mark.parametrize("command", [["analyze"], ["cameras"], ["audit"], ["run"], ["validate"], ["sweep", "-o", "x"]])
def test_a_folder_given_for_a_file_says_so(tmp_path, command):
    folder = tmp_path / "data"
    folder.mkdir()
    result = CliRunner().invoke(app, [command[0], str(folder), *command[1:]])
    assert result.exit_code == 1
    assert f"error: {folder}: is a folder, not a file; give the " in result.output, result.output
    assert "not found" not in result.output and len(result.output.strip().splitlines()) == 1


def test_an_empty_scenario_file_is_an_error_naming_the_file_and_the_fix(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing set yet\n")
    result = CliRunner().invoke(app, ["run", str(empty), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {empty}: the file sets nothing")
    assert "give no file to run the built-in teaching-grid" in result.output
    assert not (tmp_path / "out").exists()


# --- Ctrl-C ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["sim.pipeline.build_demand", "sim.runner.draw_run"])
def test_ctrl_c_says_nothing_was_written_and_exits_130(tmp_path, monkeypatch, where):
    """Stopped in a stage or while the files are written, a run leaves no folder, not even its temporary one."""
    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(where, stop)
    target = tmp_path / "runs" / "o"
    result = CliRunner().invoke(app, ["run", "-o", str(target), *_sets(TINY)])
    assert result.exit_code == 130
    assert result.output.splitlines()[-1] == f"interrupted; nothing was written to {target}"
    assert not target.exists()
    assert not (tmp_path / "runs").exists() or list((tmp_path / "runs").iterdir()) == []


# --- a run's folder, progress and summary ------------------------------------------------------------------------

def test_the_order_of_the_overrides_does_not_change_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["run", *_sets(TINY)]).exit_code == 0
    assert runner.invoke(app, ["run", *_sets(reversed(TINY))]).exit_code == 0
    assert len(list((tmp_path / "out").iterdir())) == 1


def _summary(output):
    """The summary table's rows: label → value."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().split("│")[1:-1]]
        if len(cells) == 3 and cells[0]:
            rows[cells[0]] = cells[1]
    return rows


def test_a_run_with_patrol_cars_shows_their_reads_and_counts_passes_as_passes(tmp_path):
    patrol = "patrols=[{cars=2, prefix='p', operator='city'}]"
    result = CliRunner().invoke(app, ["run", "-o", str(tmp_path / "o"), *_sets([*TINY, patrol,
                                                                                 "cameras.read_rate=0.5"])])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    passes = re.search(r"reads: done in [\d.]+ s \([\d.]+ s so far; ([\d,]+) camera passes \(read or missed\)\)",
                       result.output)
    assert passes, result.output
    assert int(passes.group(1).replace(",", "")) > metrics["n_reads"]  # half the passes at cameras are missed
    rows = _summary(result.output)
    fleets = metrics["fleets"]
    assert rows["cameras"] == "4" and rows["patrol cars"] == "2"
    assert rows["reads"] == f"{metrics['n_reads']:,}"
    assert rows["reads by fixed cameras"] == f"{fleets['fixed']['n_reads']:,}"
    assert rows["reads by patrol cars"] == f"{fleets['mobile']['n_reads']:,}"
    assert fleets["fixed"]["n_reads"] + fleets["mobile"]["n_reads"] == metrics["n_reads"]
    assert "reads per patrol car per day (mean)" in rows and "reads per camera per day" in rows
    # the median car-day, counted again with pandas from the files: each patrol car's reads on each day it read
    reads = pd.read_parquet(tmp_path / "o" / "reads.parquet")
    cameras = pd.read_csv(tmp_path / "o" / "cameras.csv")
    cars = reads[reads["camera_id"].isin(cameras.loc[cameras["kind"] == "mobile", "camera_id"])]
    car_days = cars.groupby([cars["camera_id"], cars["time_s"] // 86_400]).size()
    assert metrics["reads_per_patrol_car_day_median"] == car_days.median()
    assert metrics["reads_per_patrol_car_day_median_n"] == len(car_days) >= 2
    median = metrics["reads_per_patrol_car_day_median"]
    assert rows["reads per patrol car on a day it read (median)"] == f"{median:,.0f}"


def test_a_patrol_only_run_shows_no_camera_rows(tmp_path):
    patrol = "patrols=[{cars=2, prefix='p', operator='city'}]"
    result = CliRunner().invoke(app, ["run", "-o", str(tmp_path / "o"), *_sets([*TINY, patrol, "cameras.count=0"])])
    assert result.exit_code == 0, result.output
    rows = _summary(result.output)
    assert {"trips", "patrol cars", "reads", "reads per patrol car per day (mean)"} <= set(rows)
    assert not {"cameras", "reads per camera per day", "reads by fixed cameras", "reads by patrol cars",
                "place pairs with a camera-free route", "detour to avoid cameras (median ×)"} & set(rows)


def test_the_run_summary_gives_shares_in_percent_as_the_report_does():
    from sim.cli_tables import summary_rows

    rows = {label: (value, ci) for label, value, ci in summary_rows(
        {"n_trips": 1200, "n_cameras": 4, "share_trips_read_ge1": 0.4431, "share_trips_read_ge1_ci": [0.42, 0.46],
         "reads_per_camera_per_day": 0.5, "route_recall_mean": 0.2003, "route_recall_mean_ci": [0.1971, 0.2038]})}
    assert rows["trips read ≥ 1 time"] == ("44%", "42%–46%")
    assert rows["route recall (mean)"] == ("20.0%", "19.7%–20.4%")  # a narrow interval: a tenth of a percent
    assert rows["reads per camera per day"] == ("0.5", "")  # a rate, not a share
    assert rows["trips"] == ("1,200", "")


def test_the_run_summary_gives_recall_and_precision_of_trips_sighted_twice():
    """Beside precision over the trips sighted at least twice (a trip sighted once is precise by construction),
    recall over the same trips: a reader compares the two on one footing."""
    from sim.cli_tables import summary_rows

    rows = {label: value for label, value, _ in summary_rows(
        {"n_trips": 10, "route_recall_mean_ge2": 0.5, "route_recall_mean_ge2_ci": [0.4, 0.6],
         "route_precision_mean_ge2": 0.75, "route_precision_mean_ge2_ci": [0.7, 0.8]})}
    assert rows["route recall, trips sighted ≥ 2 times"] == "50%"
    assert rows["route precision, trips sighted ≥ 2 times"] == "75%"


def test_ctrl_c_while_curtain_loads_says_one_line():
    """The installed ``curtain`` command, interrupted while the package loads (a Ctrl-C in its first second,
    made here by an import hook that raises it when ``sim.cli`` is imported): one line, status 130, no
    traceback. The same command with nothing interrupted prints its help."""
    import subprocess
    import sys

    command = ("from importlib.metadata import entry_points; import sys; "
               "curtain = [e for e in entry_points(group='console_scripts') if e.name == 'curtain'][0]; "
               "sys.argv = ['curtain', '--help']; {hook}curtain.load()()")
    hook = ("class Stop:\n    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'sim.cli':\n            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Stop()); ")
    stopped = subprocess.run([sys.executable, "-c", "import sys\n" + hook + command.format(hook="")],
                             capture_output=True, text=True, timeout=120)
    assert stopped.returncode == 130, stopped.stderr
    assert stopped.stderr.strip() == "interrupted while Curtain was loading; nothing was run or written"
    helped = subprocess.run([sys.executable, "-c", command.format(hook="")], capture_output=True, text=True,
                            timeout=120)
    assert helped.returncode == 0 and "Usage: curtain" in helped.stdout, helped.stderr
