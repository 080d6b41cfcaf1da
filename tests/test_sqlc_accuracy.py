"""Our analysis against sqlc's (the reference analyzer) on every corpus case.

Every difference is either fixed or recorded in tests/sqlc_disagreements.yaml with the reason
sqlc is wrong; a recorded difference that no longer occurs must be removed from the record.
"""

from __future__ import annotations

import pytest
import yaml

from tests.sqlc_agreement import (
    TODO,
    Disagreement,
    _entry,
    agreement,
    corpus_cases,
    load_record,
    recorded_key,
    rejected_entries,
    sqlc_analysis,
)
from tests.sqlc_reference import TypeNames, engine_of


def _snippet(found: list[Disagreement]) -> str:
    return yaml.safe_dump([_entry(d, TODO) for d in found], sort_keys=False, width=100)


def test_corpus_has_postgres_and_sqlite_cases() -> None:
    engines = [engine_of(case) for case in corpus_cases()]
    assert engines.count("postgresql") >= 3 and engines.count("sqlite") >= 3


def test_every_disagreement_with_sqlc_is_recorded() -> None:
    report = agreement()
    recorded = {recorded_key(e) for e in load_record()["disagreements"]}
    unrecorded = [d for d in report.disagreements if d.key() not in recorded]
    assert not unrecorded, (
        f"{report.summary()}\n\n{len(unrecorded)} unrecorded disagreement(s); fix ours or add "
        f"them to tests/sqlc_disagreements.yaml with the reason sqlc is wrong:\n"
        + _snippet(unrecorded)
    )


def test_every_recorded_disagreement_still_occurs() -> None:
    current = {d.key() for d in agreement().disagreements}
    stale = [e for e in load_record()["disagreements"] if recorded_key(e) not in current]
    assert not stale, "no longer disagree (remove from the record):\n" + yaml.safe_dump(stale)


def test_recorded_disagreements_give_a_reason() -> None:
    entries = load_record()["disagreements"]
    unexplained = [e for e in entries if not e.get("reason") or e["reason"] == TODO]
    assert not unexplained, yaml.safe_dump(unexplained)


def test_queries_sqlc_rejects_are_listed() -> None:
    """Only queries sqlc itself fails on are skipped, and the record lists each of them."""
    assert rejected_entries(agreement()) == load_record()["sqlc_rejected"]


def test_agreement_covers_the_corpus() -> None:
    report = agreement()
    assert report.queries >= 100
    assert report.columns.compared >= 300 and report.params.compared >= 100


@pytest.mark.parametrize(
    ("engine", "sqlc_type", "py_type"),
    [
        ("postgresql", "pg_catalog.int4", "int"),
        ("postgresql", "bigserial", "int"),
        ("postgresql", "pg_catalog.numeric", "Decimal"),
        ("postgresql", "timestamptz", "datetime"),
        ("postgresql", "double precision", "float"),
        ("postgresql", "interval", "timedelta"),
        ("postgresql", "jsonb", "dict"),
        ("postgresql", "bpchar", "str"),
        ("postgresql", "anyarray", None),
        ("postgresql", "any", None),
        ("sqlite", "INTEGER", "int"),
        ("sqlite", "NVARCHAR(160)", "str"),
        ("sqlite", "NUMERIC(10,2)", "Decimal"),
        ("sqlite", "DATETIME", "datetime"),
        ("sqlite", "BOOLEAN", "bool"),
        ("sqlite", "real", "float"),
        ("sqlite", "BLOB", "bytes"),
        ("sqlite", "any", None),
    ],
)
def test_sqlc_type_names_map_to_our_py_types(
    engine: str, sqlc_type: str, py_type: str | None
) -> None:
    assert TypeNames(engine).py_type(sqlc_type) == py_type


def test_enums_and_domains_map_through() -> None:
    names = TypeNames("postgresql", frozenset({"mood"}), (("year", "integer"),))
    assert (names.py_type("public.mood"), names.py_type("year")) == ("str", "int")


def test_sqlc_reference_expands_embeds_and_skips_rejected_queries() -> None:
    cases = {case.name: case for case in corpus_cases()}
    ref = sqlc_analysis(cases["inventory-sqlite"])
    assert {"LowStock", "CategoryAncestors"} <= set(ref.rejected)
    embedded = ref.queries["StockWithItem"].columns
    assert [c.name for c in embedded][:5] == [
        "warehouse_id", "item_id", "quantity", "counted_at", "id",
    ]  # fmt: skip
