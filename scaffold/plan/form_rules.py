"""A form's validators: the table's CHECK constraints and the spec's rules, compiled or reported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot.expressions as exp

from scaffold.analyze.model import Table
from scaffold.errors import did_you_mean
from scaffold.plan.check_words import Bound
from scaffold.plan.checks import (
    CheckField,
    Validator,
    parse_rule,
    translate,
    translate_conjuncts,
    unwrap_check,
)
from scaffold.spec.model import FormSpec


@dataclass
class FormRules:
    validators: list[tuple[Validator, str]] = field(default_factory=list)  # (validator, comment)
    unenforced: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    check_messages: dict[str, str] = field(default_factory=dict)  # CHECK sql -> message


def check_fields(fields: Sequence[dict[str, Any]]) -> dict[str, CheckField]:
    """The parsed locals of parse(), all possibly None (a failed parse leaves None)."""
    return {
        f["name"]: CheckField(f["name"], f["py_type"], f["label"], f["var"], True, f["scale"])
        for f in fields
    }


def table_checks(table: Table) -> list[exp.Expression]:
    """Every CHECK of the table once, column-level and table-level."""
    seen: dict[str, exp.Expression] = {}
    for col in table.columns:
        for check in col.checks:
            check = unwrap_check(check)
            seen.setdefault(check.sql(), check)
    for constraint in table.constraints:
        if constraint.kind == "check" and constraint.expression is not None:
            check = unwrap_check(constraint.expression)
            seen.setdefault(check.sql(), check)
    return list(seen.values())


def form_rules(
    form: FormSpec, table: Table, fields: Sequence[dict[str, Any]], dialect: str
) -> FormRules:
    scope = check_fields(fields)
    out = FormRules()
    for check in table_checks(table):
        done, _left = translate_conjuncts(check, scope, dialect=dialect)
        if done and not _left:
            joined = " ".join(v.message for v in done if v.source != "True")
            out.check_messages[check.sql(dialect=dialect)] = joined
        for validator in done:
            if validator.source != "True":
                out.validators.append((validator, f"CHECK ({validator.sql})"))
    for number, rule in enumerate(form.rules, start=1):
        _add_rule(out, form, number, rule.text, rule.message, scope, dialect)
    return out


def _add_rule(
    out: FormRules,
    form: FormSpec,
    number: int,
    text: str,
    message: str | None,
    scope: dict[str, CheckField],
    dialect: str,
) -> None:
    expr, unknown = parse_rule(text, list(scope), dialect=dialect)
    validator = None
    if expr is not None and not unknown:
        validator = translate(expr, scope, dialect=dialect, message=message)
    if validator is not None:
        out.validators.append((validator, f"rule {number}: {text}"))
        return
    out.unenforced.append(text)
    if form.writer == "llm":
        return
    if expr is None:
        out.warnings.append(
            f"form {form.name} rule {number} is in plain words; the template writer cannot "
            "enforce it; set writer: llm on the form"
        )
    elif unknown:
        hints = [did_you_mean(u, scope) for u in unknown]
        extra = "".join(f"; {h}" for h in hints if h)
        out.warnings.append(
            f"form {form.name} rule {number} is in plain words; the template writer cannot "
            f"enforce it; set writer: llm on the form (it reads as SQL but "
            f"names {', '.join(unknown)}, which the form does not have{extra})"
        )
    else:
        out.warnings.append(
            f"form {form.name} rule {number} is SQL the template writer cannot translate to "
            "Python; it is not enforced; set writer: llm on the form"
        )


def apply_bounds(fields: Sequence[dict[str, Any]], validators: Sequence[Validator]) -> None:
    """Tighten each field's min/max/minlength/maxlength with the bounds its checks imply."""
    by_name = {f["name"]: f for f in fields}
    for validator in validators:
        for bound in validator.bounds:
            target = by_name.get(bound.field)
            if target is not None:
                _tighten(target, bound)


def _tighten(f: dict[str, Any], bound: Bound) -> None:
    current = f.get(bound.attr)
    lower = bound.attr in ("min", "minlength")
    if bound.attr in ("minlength", "maxlength"):
        value: Any = int(bound.value)
    else:
        value = bound.value
    if current is None or _tighter(value, current, lower, f["py_type"]):
        f[bound.attr] = value


def _tighter(new: Any, old: Any, lower: bool, py_type: str) -> bool:
    if py_type == "date" or isinstance(new, int):
        return bool(new > old) if lower else bool(new < old)
    from decimal import Decimal

    return Decimal(new) > Decimal(old) if lower else Decimal(new) < Decimal(old)
