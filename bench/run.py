"""Benchmark scaffold against sqlc on synthetic projects and the real corpus; print medians and
ratios against the targets of issue "8 of 8".

    python bench/run.py                       # sizes 10,100,1000, 3 runs, plus the corpus
    python bench/run.py --sizes 10,100 --runs 5 --no-corpus --gen-tests 100

Every command runs as a separate process (as a user would run it), on a private copy of the
project. Both tools are resolved to their real executables (a pyenv shim adds ~50 ms to each).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from bench import synth
from bench.corpus import corpus_cases, prepare_corpus

TARGETS = {  # measure: (numerator, denominator, at most)
    "inspect cold / sqlc generate": ("inspect_cold", "sqlc_generate", 3.0),
    "inspect cold, daemon / sqlc generate": ("inspect_cold_daemon", "sqlc_generate", 3.0),
    "inspect warm / sqlc generate": ("inspect_warm", "sqlc_generate", 0.5),
    "inspect warm, daemon / sqlc generate": ("inspect_warm_daemon", "sqlc_generate", 0.5),
    "check no-op / sqlc diff": ("check_noop", "sqlc_diff", 1.0),
    "check no-op, daemon / sqlc diff": ("check_noop_daemon", "sqlc_diff", 1.0),
}
NO_DAEMON = "SCAFFOLD_NO_DAEMON"


@dataclass
class Sample:
    seconds: float
    max_rss_kb: int
    returncode: int
    output: str = ""  # stdout and stderr


@dataclass
class Result:
    project: str
    queries: int
    tables: int
    times: dict[str, list[float]] = field(default_factory=dict)
    rss_kb: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, measure: str, sample: Sample) -> None:
        self.times.setdefault(measure, []).append(sample.seconds)
        self.rss_kb[measure] = max(self.rss_kb.get(measure, 0), sample.max_rss_kb)

    def median(self, measure: str) -> float | None:
        runs = self.times.get(measure)
        return statistics.median(runs) if runs else None


def real_executable(name: str) -> list[str]:
    """The command that runs `name` without a pyenv shim in between."""
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found on PATH")
    if "/shims/" in found:
        proc = subprocess.run(["pyenv", "which", name], capture_output=True, text=True)
        found = proc.stdout.strip() or found
    if name == "scaffold":  # the console script, run by this interpreter
        return [sys.executable, found]
    return [found]


SCAFFOLD = real_executable("scaffold")
SQLC = real_executable("sqlc")


def run(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run one process; its wall time and peak resident memory (from wait4)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return Sample(elapsed, usage.ru_maxrss, proc.returncode, text)


def must(sample: Sample, what: str) -> Sample:
    if sample.returncode != 0:
        shown = " | ".join(sample.output.strip().splitlines()[-3:])
        raise RuntimeError(f"{what} failed ({sample.returncode}): {shown}")
    return sample


def snapshot(root: Path) -> dict[str, int]:
    """mtime_ns of every file under root (to prove a no-change run touched nothing)."""
    return {
        str(p.relative_to(root)): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and "sqlc_out" not in p.parts
    }


def forget_analyses(root: Path) -> None:
    """Cold: no analysis cache (the bench's private one) and no .scaffold/ folder."""
    shutil.rmtree(root / ".scaffold", ignore_errors=True)
    shutil.rmtree(os.environ["SCAFFOLD_CACHE_DIR"], ignore_errors=True)


def clear_generated(root: Path) -> None:
    shutil.rmtree(root / "generated", ignore_errors=True)
    forget_analyses(root)


def set_variant(root: Path, original: str, variant: int) -> None:
    """The original query.sql with one query edited (a new text per variant, so no cache hits)."""
    old = "WHERE id = sqlc.arg(id);"
    if old in original:
        new = f"WHERE id = sqlc.arg(id) AND qty >= {variant};"
    else:  # a corpus query: a comment inside its statement changes its text, not its meaning
        old = ";"
        new = f" /* v{variant} */;"
    (root / "query.sql").write_text(original.replace(old, new, 1))


def daemon_env() -> dict[str, str]:
    """The environment of a run the bench's daemon answers (every other run is in-process)."""
    return {k: v for k, v in os.environ.items() if k != NO_DAEMON}


def daemon_runs() -> int:
    """How many runs the bench's daemon has served (to prove it answered the measured ones)."""
    found = re.search(r"(\d+) runs served", daemon_status())
    return int(found.group(1)) if found else -1


def daemon_status() -> str:
    """What `scaffold daemon status` says of the bench's daemon."""
    sample = must(run([*SCAFFOLD, "daemon", "status"], Path.cwd(), daemon_env()), "daemon status")
    return sample.output


def bench_project(res: Result, root: Path, runs: int, gen_tests: bool, daemon: bool) -> None:
    spec = "scaffold.yaml"
    scaffold = [*SCAFFOLD]
    original = (root / "query.sql").read_text()
    for _ in range(runs):  # analysis from scratch, both tools
        res.add("sqlc_generate", must(run([*SQLC, "generate"], root), "sqlc generate"))
        forget_analyses(root)
        res.add("inspect_cold", must(run([*scaffold, "inspect", spec], root), "inspect"))
    # The analysis cache lives in .scaffold/, which the first gen creates.
    must(run([*scaffold, "gen", spec, "--no-tests"], root), "gen")
    for n in range(runs):  # one query changed since the last analysis
        must(run([*scaffold, "inspect", spec], root), "inspect")
        set_variant(root, original, 1000 + n)
        res.add("inspect_warm", must(run([*scaffold, "inspect", spec], root), "inspect warm"))
        (root / "query.sql").write_text(original)
    if daemon:
        bench_daemon_inspect(res, root, runs, original)
    bench_gen(res, root, runs, "--no-tests", original)
    if gen_tests:
        bench_gen(res, root, runs, "", original)
    must(run([*SQLC, "generate"], root), "sqlc generate")
    must(run([*scaffold, "gen", spec, "--no-tests"], root), "gen")
    for _ in range(runs):
        res.add("sqlc_diff", must(run([*SQLC, "diff"], root), "sqlc diff"))
        res.add("check_noop", must(run([*scaffold, "check", spec], root), "check"))
        if daemon:
            served = daemon_runs()
            sample = must(run([*scaffold, "check", spec], root, daemon_env()), "check (daemon)")
            res.add("check_noop_daemon", sample)
            if daemon_runs() != served + 1:
                res.notes.append("the daemon did not answer a `check` run")


def bench_daemon_inspect(res: Result, root: Path, runs: int, original: str) -> None:
    """inspect cold and warm again, answered by the daemon (`scaffold daemon start`); the
    daemon's served-runs count proves it answered every measured run."""
    env = daemon_env()
    served = daemon_runs()
    for _ in range(runs):
        # The daemon writes the analysis cache after its reply, and answers one request at a
        # time: once it has answered `status`, the last run's cache is on disk to be removed.
        daemon_runs()
        forget_analyses(root)
        sample = run([*SCAFFOLD, "inspect", "scaffold.yaml"], root, env)
        res.add("inspect_cold_daemon", must(sample, "inspect cold (daemon)"))
    for n in range(runs):
        must(run([*SCAFFOLD, "inspect", "scaffold.yaml"], root, env), "inspect (daemon)")
        set_variant(root, original, 3000 + n)
        sample = run([*SCAFFOLD, "inspect", "scaffold.yaml"], root, env)
        res.add("inspect_warm_daemon", must(sample, "inspect warm (daemon)"))
        (root / "query.sql").write_text(original)
    if daemon_runs() != served + 3 * runs:
        res.notes.append("the daemon did not answer every `inspect` run")


def bench_gen(res: Result, root: Path, runs: int, flag: str, original: str) -> None:
    """gen cold, warm with one query changed, and with nothing changed (touching no file)."""
    suffix = "" if flag else "_tests"
    cmd = [*SCAFFOLD, "gen", "scaffold.yaml", *([flag] if flag else [])]
    for n in range(runs):
        clear_generated(root)
        res.add("gen_cold" + suffix, must(run(cmd, root), "gen cold"))
        set_variant(root, original, 2000 + n)
        res.add("gen_warm" + suffix, must(run(cmd, root), "gen warm"))
        (root / "query.sql").write_text(original)
        must(run(cmd, root), "gen")
        before = snapshot(root)
        res.add("gen_nochange" + suffix, must(run(cmd, root), "gen no change"))
        touched = sorted(k for k, v in snapshot(root).items() if before.get(k) != v)
        if touched:
            res.notes.append(f"no-change gen{suffix} touched {len(touched)} file(s): {touched[:3]}")


def isolate(tmp: Path, *, snapshot_code: bool) -> None:
    """A private analysis cache; and a snapshot of scaffold's code and templates, so edits made
    to the working tree while the benchmark runs cannot change its inputs halfway."""
    os.environ["SCAFFOLD_CACHE_DIR"] = str(tmp / "cache")
    # Runs are in-process unless a measure asks for the daemon, a private one of this run's.
    os.environ[NO_DAEMON] = "1"
    (tmp / "daemon").mkdir(mode=0o700)
    os.environ["SCAFFOLD_DAEMON_DIR"] = str(tmp / "daemon")
    if snapshot_code:
        import scaffold

        package = Path(scaffold.__file__).parent
        code = tmp / "code"
        shutil.copytree(package, code / "scaffold", ignore=shutil.ignore_patterns("__pycache__"))
        templates = package.parent / "templates"
        if not (package / "templates").is_dir() and templates.is_dir():  # an editable install
            shutil.copytree(templates, code / "scaffold" / "templates")
        # pip byte-compiles an installed package; without this, every scaffold process of the
        # run would compile its modules from source (~50 ms each) when PYTHONDONTWRITEBYTECODE
        # is set, a cost no user's install pays.
        compileall.compile_dir(code, quiet=1, workers=1)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(code), os.environ.get("PYTHONPATH")])
        )


def import_times(root: Path) -> dict[str, float]:
    """Total import time (ms, from -X importtime) of `scaffold --help` and `scaffold check`."""
    out = {}
    for label, args in (("--help", ["--help"]), ("check", ["check", "scaffold.yaml"])):
        totals = []
        for _ in range(5):
            sample = run([SCAFFOLD[0], "-X", "importtime", *SCAFFOLD[1:], *args], root)
            found = re.findall(r"import time:\s+(\d+) \|", sample.output)
            totals.append(sum(int(m) for m in found))
        out[label] = statistics.median(totals) / 1000
    return out


FLOOR = (  # what any Python CLI doing scaffold's work pays before it does anything
    ("python -S -c pass (no site)", ["-S", "-c", "pass"]),
    ("python -c pass", ["-c", "pass"]),
    ("+ import click, yaml", ["-c", "import click, yaml"]),
    ("+ import sqlglot", ["-c", "import click, yaml, sqlglot"]),
)


def startup_floor(root: Path) -> dict[str, float]:
    """Median wall time (ms) of bare interpreter starts and of the imports scaffold needs."""
    out = {}
    commands = [(label, [sys.executable, *args]) for label, args in FLOOR]
    commands.append(("scaffold --help", [*SCAFFOLD, "--help"]))
    for label, cmd in commands:
        out[label] = statistics.median(run(cmd, root).seconds for _ in range(7)) * 1000
    return out


def _synthetic(work: Path, *, queries: int, tables: int) -> tuple[Path, int, int]:
    return synth.write_project(work, queries, tables).parent, queries, tables


def fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f}"


def ratio(res: Result, num: str, den: str) -> float | None:
    a, b = res.median(num), res.median(den)
    return None if a is None or not b else a / b


COLUMNS = (
    ("sqlc gen", "sqlc_generate"),
    ("inspect cold", "inspect_cold"),
    ("inspect cold, daemon", "inspect_cold_daemon"),
    ("inspect warm", "inspect_warm"),
    ("inspect warm, daemon", "inspect_warm_daemon"),
    ("sqlc diff", "sqlc_diff"),
    ("check no-op", "check_noop"),
    ("check no-op, daemon", "check_noop_daemon"),
    ("gen cold", "gen_cold"),
    ("gen warm", "gen_warm"),
    ("gen no-change", "gen_nochange"),
    ("gen cold +tests", "gen_cold_tests"),
    ("gen no-change +tests", "gen_nochange_tests"),
)


def verdicts(results: list[Result]) -> str:
    """Per target: on how many projects it is met, and the worst ratio."""
    lines = ["Targets (projects where met / projects measured; worst ratio):"]
    for label, (num, den, limit) in TARGETS.items():
        found = [(x, r.project) for r in results if (x := ratio(r, num, den)) is not None]
        if not found:
            continue
        met = sum(1 for x, _ in found if x <= limit)
        worst, where = max(found)
        lines.append(f"  {label} <= {limit:g}x: {met}/{len(found)}; worst {worst:.2f}x ({where})")
    return "\n".join(lines)


def markdown(results: list[Result]) -> str:
    head = ["project", "queries", "tables", *(c for c, _ in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [r.project, str(r.queries), str(r.tables), *(fmt(r.median(m)) for _, m in COLUMNS)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| project | " + " | ".join(TARGETS) + " | peak RSS inspect / sqlc (MB) |"]
    lines.append("|" + "---|" * (len(TARGETS) + 2))
    for r in results:
        cells = []
        for num, den, limit in TARGETS.values():
            x = ratio(r, num, den)
            cells.append("-" if x is None else f"{x:.2f}x {'ok' if x <= limit else 'MISS'}")
        ours, theirs = r.rss_kb.get("inspect_cold", 0), r.rss_kb.get("sqlc_generate", 0)
        mem = f"{ours / 1024:.0f} / {theirs / 1024:.0f}"
        lines.append(f"| {r.project} | " + " | ".join(cells) + f" | {mem} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    sqlc = subprocess.run([*SQLC, "version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"sqlc {sqlc}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="10,100,1000", help="synthetic query counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--no-corpus", action="store_true", help="skip the real corpus")
    parser.add_argument(
        "--gen-tests",
        type=int,
        default=100,
        help="also time gen WITH the generated tests on synthetic projects up to this many "
        "queries (0: never)",
    )
    parser.add_argument(
        "--no-daemon", action="store_true", help="skip the runs answered by `scaffold daemon`"
    )
    parser.add_argument("--json", type=Path, help="write all samples here")
    parser.add_argument(
        "--live",
        action="store_true",
        help="run the scaffold in the working tree instead of a snapshot of it taken at start",
    )
    args = parser.parse_args()
    projects: list[tuple[str, Callable[[Path], tuple[Path, int, int]]]] = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        tables = synth.SIZES.get(size, max(1, size // 5))
        projects.append((f"synth-{size}", partial(_synthetic, queries=size, tables=tables)))
    if not args.no_corpus:
        for case in corpus_cases():
            projects.append((case.name, partial(prepare_corpus, case)))
    print(machine(), file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as tmp:
        isolate(Path(tmp), snapshot_code=not args.live)
        if not args.no_daemon:
            must(run([*SCAFFOLD, "daemon", "start"], Path(tmp), daemon_env()), "daemon start")
        try:
            results = bench_all(projects, Path(tmp), args)
            imports = import_times(Path(tmp) / projects[0][0]) if projects else {}
            floor = startup_floor(Path(tmp))
            daemon = "" if args.no_daemon else daemon_memory()
        finally:
            if not args.no_daemon:
                run([*SCAFFOLD, "daemon", "stop"], Path(tmp), daemon_env())
    print(f"\nMachine: {machine()}\nRuns per measure: {args.runs} (medians, seconds)\n")
    print(markdown([r for r in results if r.times]))
    print("\n" + verdicts([r for r in results if r.times]))
    shown = ", ".join(f"scaffold {k}: {v:.1f}" for k, v in imports.items())
    print(f"\nImport time (ms, python -X importtime, median of 5): {shown}")
    shown = ", ".join(f"{k}: {v:.0f}" for k, v in floor.items())
    print(f"Start-up floor (ms, wall, median of 7): {shown}")
    if daemon:
        print(daemon)
    for r in results:
        for note in r.notes:
            print(f"note {r.project}: {note}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=2))


def daemon_memory() -> str:
    found = re.search(r"memory:\s*(\d+) MB", daemon_status())
    shown = f"{found.group(1)} MB" if found else "unknown"
    return f"The daemon's peak resident memory over the whole run: {shown}"


def bench_all(
    projects: list[tuple[str, Callable[[Path], tuple[Path, int, int]]]],
    tmp: Path,
    args: argparse.Namespace,
) -> list[Result]:
    results = []
    for name, prepare in projects:
        root, queries, tables = prepare(tmp / name)
        res = Result(name, queries, tables)
        start = time.perf_counter()
        try:
            gen_tests = name.startswith("synth-") and queries <= args.gen_tests
            bench_project(res, root, args.runs, gen_tests=gen_tests, daemon=not args.no_daemon)
        except RuntimeError as err:
            res.notes.append(f"skipped: {str(err).splitlines()[0]}")
        print(f"{name}: {time.perf_counter() - start:.1f}s {res.notes}", file=sys.stderr)
        results.append(res)
    return results


if __name__ == "__main__":
    main()
