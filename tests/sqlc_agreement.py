"""How far our analysis agrees with sqlc's on the corpus: `python tests/sqlc_agreement.py`.

Compares, per query sqlc accepts, each output column's and parameter's nullability and Python
type (and name). `--write` rewrites tests/sqlc_disagreements.yaml, keeping recorded reasons.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `tests` and `scaffold` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from scaffold.analyze.model import OutputColumn, Param, QueryInfo
from scaffold.errors import ScaffoldError
from tests.sqlc_reference import RefCase, RefQuery, RefValue, query_files, run_sqlc, schema_path

HERE = Path(__file__).resolve().parent
SHARED_CORPUS = HERE.parent.parent / "shared" / "corpus"
OWN_CORPUS = HERE / "corpus"
RECORD = HERE / "sqlc_disagreements.yaml"
TODO = "TODO: fix ours or say why sqlc is wrong"


@dataclass(frozen=True)
class Disagreement:
    """One fact sqlc and we answer differently."""

    case: str
    query: str
    item: str  # "column total", "param 1 (author_id)", "query"
    field: str  # nullable | py_type | name | count | error
    sqlc: Any
    ours: Any

    def key(self) -> tuple[str, ...]:
        return (self.case, self.query, self.item, self.field, str(self.sqlc), str(self.ours))


@dataclass
class Tally:
    """Compared / agreeing counts for one kind of item (columns or params)."""

    compared: int = 0
    agreed: int = 0
    nullable_agreed: int = 0
    typed: int = 0  # items sqlc gave a type we can map
    type_agreed: int = 0

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.compared} compared, {_pct(self.agreed, self.compared)} agree "
            f"(nullability {_pct(self.nullable_agreed, self.compared)}, "
            f"type {_pct(self.type_agreed, self.typed)} of {self.typed} sqlc could type)"
        )


@dataclass
class Report:
    disagreements: list[Disagreement] = field(default_factory=list)
    columns: Tally = field(default_factory=Tally)
    params: Tally = field(default_factory=Tally)
    queries: int = 0
    # (case, query) -> (sqlc's error, ours: "accepted" or our error)
    rejected: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"sqlc agreement over {self.queries} queries:",
            "  " + self.columns.line("columns"),
            "  " + self.params.line("params"),
            f"  disagreements: {len(self.disagreements)}; sqlc rejected {len(self.rejected)}:",
        ]
        for (case, query), (theirs, ours) in sorted(self.rejected.items()):
            lines.append(f"    {case}/{query}: sqlc: {theirs}; ours: {ours}")
        return "\n".join(lines)


def corpus_cases() -> list[Path]:
    """Every folder with queries: the shared corpus (when present) and tests/corpus."""
    roots = [SHARED_CORPUS, OWN_CORPUS]
    cases = [d for root in roots if root.is_dir() for d in sorted(root.iterdir())]
    return [d for d in cases if (d / "SOURCE.txt").exists() and _has_queries(d)]


def _has_queries(case: Path) -> bool:
    return (case / "query.sql").exists() or (case / "query").is_dir()


@cache
def agreement() -> Report:
    """The comparison over the whole corpus (computed once per process)."""
    report = Report()
    cases = corpus_cases()
    with ThreadPoolExecutor() as pool:  # sqlc runs as a subprocess; overlap the runs
        refs = list(pool.map(sqlc_analysis, cases))
    for case, ref in zip(cases, refs, strict=True):
        compare_case(case, ref, report)
    return report


@cache
def sqlc_analysis(case: Path) -> RefCase:
    """sqlc's answer for a case, run once per process."""
    return run_sqlc(case)


def compare_case(case: Path, ref: RefCase, report: Report) -> None:
    from scaffold.analyze.catalog import build_catalog
    from scaffold.analyze.query import analyze_query
    from scaffold.spec.queryfile import read_query_files

    dialect = "postgres" if ref.engine == "postgresql" else ref.engine
    catalog = build_catalog(dialect, [schema_path(case)])
    specs = {q.name: q for q in read_query_files(query_files(case))}
    for name, spec in specs.items():
        try:
            ours: QueryInfo | str = analyze_query(spec, catalog)
        except ScaffoldError as error:
            ours = error.message  # without the file's path, which differs between machines
        _compare_query(case.name, name, ref, ours, report)


def _compare_query(
    case: str, name: str, ref: RefCase, ours: QueryInfo | str, report: Report
) -> None:
    if name in ref.rejected:
        verdict = "accepted" if isinstance(ours, QueryInfo) else ours
        report.rejected[(case, name)] = (ref.rejected[name], verdict)
        return
    theirs = ref.queries.get(name)
    if theirs is None:
        return  # a query sqlc's json does not list (never happens for accepted queries)
    report.queries += 1
    if isinstance(ours, str):
        report.disagreements.append(Disagreement(case, name, "query", "error", "ok", ours))
        return
    found = report.disagreements
    found += _compare_values(case, name, "column", theirs.columns, ours.columns, report.columns)
    params = _match_params(theirs, ours.params)
    found += _compare_values(case, name, "param", theirs.params, params, report.params)


def _match_params(theirs: RefQuery, ours: Sequence[Param]) -> Sequence[Param]:
    """Our params in sqlc's order: by name when both name them alike, else by position."""
    names = [p.name.lower() for p in theirs.params]
    by_name = {p.name.lower(): p for p in ours}
    if all(names) and sorted(names) == sorted(by_name) and len(set(names)) == len(names):
        return [by_name[n] for n in names]
    return ours


def _compare_values(
    case: str,
    query: str,
    kind: str,
    theirs: Sequence[RefValue],
    ours: Sequence[OutputColumn | Param],
    tally: Tally,
) -> list[Disagreement]:
    if len(theirs) != len(ours):
        item = f"{kind}s"
        names = ([t.name for t in theirs], [o.name for o in ours])
        return [Disagreement(case, query, item, "count", names[0], names[1])]
    found: list[Disagreement] = []
    for index, (ref, mine) in enumerate(zip(theirs, ours, strict=True), start=1):
        item = f"column {ref.name}" if kind == "column" else f"param {index} ({mine.name})"
        differences = _differences(ref, mine, kind)
        _count(tally, ref, differences)
        found += [Disagreement(case, query, item, f, s, o) for f, s, o in differences]
    return found


def _differences(
    ref: RefValue, mine: OutputColumn | Param, kind: str
) -> list[tuple[str, Any, Any]]:
    """(field, sqlc, ours) for each fact that differs; sqlc's untyped "any" is not compared."""
    out: list[tuple[str, Any, Any]] = []
    if ref.nullable != mine.nullable:
        out.append(("nullable", ref.nullable, mine.nullable))
    our_type = _our_py_type(mine)
    if ref.py_type is not None and ref.py_type != our_type:
        out.append(("py_type", ref.py_type, our_type))
    if ref.name and ref.name.lower() != mine.name.lower() and kind == "column":
        out.append(("name", ref.name, mine.name))
    return out


def _our_py_type(value: OutputColumn | Param) -> str:
    if isinstance(value, Param) and value.is_list:
        return "list"
    return value.py_type


def _count(tally: Tally, ref: RefValue, differences: list[tuple[str, Any, Any]]) -> None:
    fields = {f for f, _, _ in differences}
    tally.compared += 1
    tally.agreed += not fields & {"nullable", "py_type"}
    tally.nullable_agreed += "nullable" not in fields
    if ref.py_type is not None:
        tally.typed += 1
        tally.type_agreed += "py_type" not in fields


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


# --- the record of accepted disagreements -------------------------------------------------


def load_record(path: Path = RECORD) -> dict[str, Any]:
    """The recorded entries of the cases present here (the shared corpus may be absent)."""
    present = {case.name for case in corpus_cases()}
    data = yaml.safe_load(path.read_text()) if path.exists() else {}
    return {
        key: [e for e in (data or {}).get(key) or [] if e.get("case") in present]
        for key in ("disagreements", "sqlc_rejected")
    }


def recorded_key(entry: dict[str, Any]) -> tuple[str, ...]:
    fields = ("case", "query", "item", "field", "sqlc", "ours")
    return tuple(str(entry.get(f)) for f in fields)


def rejected_entries(report: Report) -> list[dict[str, str]]:
    return [
        {"case": case, "query": query, "sqlc": theirs, "ours": ours}
        for (case, query), (theirs, ours) in sorted(report.rejected.items())
    ]


def write_record(report: Report, path: Path = RECORD) -> None:
    """Rewrite the record from the current report, keeping the reasons already written."""
    old = {recorded_key(e): e.get("reason", TODO) for e in load_record(path)["disagreements"]}
    entries = [_entry(d, old.get(d.key(), TODO)) for d in _sorted(report.disagreements)]
    header = (
        "# Where scaffold's analysis and sqlc's differ, and why sqlc is wrong (or, marked OURS,\n"
        "# a known bug of ours). tests/test_sqlc_accuracy.py fails on any difference not listed\n"
        "# here and on any listed one that no longer occurs. Regenerate the skeleton with\n"
        "# `python tests/sqlc_agreement.py --write` (reasons are kept).\n"
    )
    body = {"disagreements": entries, "sqlc_rejected": rejected_entries(report)}
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + text)


def _entry(d: Disagreement, reason: str) -> dict[str, Any]:
    return {
        "case": d.case,
        "query": d.query,
        "item": d.item,
        "field": d.field,
        "sqlc": d.sqlc,
        "ours": d.ours,
        "reason": reason,
    }


def _sorted(found: Iterable[Disagreement]) -> list[Disagreement]:
    return sorted(found, key=lambda d: (d.case, d.query, d.item, d.field))


def main(argv: Sequence[str]) -> int:
    report = agreement()
    print(report.summary())
    reasons = [str(e.get("reason")) for e in load_record()["disagreements"]]
    kinds = {kind: sum(r.startswith(kind) for r in reasons) for kind in ("sqlc bug", "by design")}
    print(
        f"  recorded: {kinds['sqlc bug']} sqlc bugs, {kinds['by design']} by design, "
        f"{sum(r.startswith('OURS') for r in reasons)} our own bugs (reason OURS)"
    )
    for d in _sorted(report.disagreements):
        print(f"  {d.case}/{d.query} {d.item} {d.field}: sqlc={d.sqlc!r} ours={d.ours!r}")
    if "--write" in argv:
        write_record(report)
        print(f"wrote {RECORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
