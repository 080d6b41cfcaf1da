"""The catalog of an existing database (`database.url`), reflected with SQLAlchemy.

Like sqlacodegen or Django's inspectdb, but the result is the same Catalog the DDL path builds.
Every error names the URL without its password and says what to do.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from scaffold.analyze.model import Catalog
from scaffold.errors import AnalysisError, Location

# SQLAlchemy backend names per scaffold dialect.
_BACKENDS = {"postgresql": "postgres", "sqlite": "sqlite", "mysql": "mysql", "mariadb": "mysql"}
_VARIABLE = re.compile(r"\$\{(\w+)\}")
_URL_FORM = "dialect+driver://user:password@host:port/database"
_DRIVERS = "postgresql+psycopg: pip install 'psycopg[binary]'; mysql+pymysql: pip install pymysql"
_UNREACHABLE = ("refused", "resolve host", "translate host", "timeout", "timed out", "no route")
_CONNECT_TIMEOUT = 10  # seconds: an unreachable host fails fast instead of hanging


def reflect_catalog(
    url: str, dialect: str, *, root: Path | None = None, pos: Location | None = None
) -> Catalog:
    """The catalog of the database at `url`: ${VAR} is read from the environment, a relative
    SQLite path is relative to `root` (the spec's folder)."""
    from scaffold.analyze.reflect_schema import read_catalog

    target = database_url(url, pos)
    _check_backend(target, dialect, pos)
    if target.get_backend_name() == "sqlite":
        target = _sqlite_file(target, root, pos)
    shown = shown_url(target)
    engine = _engine(target, pos)
    try:
        with _server_errors(target, pos), warnings.catch_warnings():
            # Types SQLAlchemy does not know are read from the server instead.
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            with engine.connect() as conn:
                catalog = read_catalog(conn, dialect, Location(shown))
    finally:
        engine.dispose()
    if not catalog.tables:
        raise AnalysisError(
            f"{shown} has no tables or views",
            location=pos,
            hint="check the database name in database.url, or create the schema first",
        )
    return catalog


def database_url(url: str, pos: Location | None = None) -> sa.URL:
    """The parsed URL: environment variables filled in, PostgreSQL on psycopg by default."""
    try:
        target = sa.make_url(_expand(url, pos))
    except (sa.exc.ArgumentError, ValueError):
        # Not echoed: the text may hold a password.
        raise AnalysisError(
            "database.url is not a SQLAlchemy URL",
            location=pos,
            hint=f"write it as {_URL_FORM}, e.g. postgresql+psycopg://app@localhost:5432/app",
        ) from None
    if target.drivername in ("postgres", "postgresql"):
        target = target.set(drivername="postgresql+psycopg")
    return target


def shown_url(target: sa.URL) -> str:
    """The URL as it may be printed: the password masked."""
    return target.render_as_string(hide_password=True)


def hide_password(text: str, target: sa.URL) -> str:
    """`text` with the URL's password masked wherever it appears."""
    if target.password:
        text = text.replace(str(target.password), "***")
    return text.replace(target.render_as_string(hide_password=False), shown_url(target))


def _expand(url: str, pos: Location | None) -> str:
    missing = [name for name in _VARIABLE.findall(url) if name not in os.environ]
    if missing:
        raise AnalysisError(
            f"database.url uses ${{{missing[0]}}}, which is not set in the environment",
            location=pos,
            hint=f"export {missing[0]}=... before running scaffold (URL form: {_URL_FORM})",
        )
    return _VARIABLE.sub(lambda m: os.environ[m.group(1)], url)


def _sqlite_file(target: sa.URL, root: Path | None, pos: Location | None) -> sa.URL:
    name = target.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        raise AnalysisError(
            "database.url names an in-memory SQLite database, which has no tables",
            location=pos,
            hint="point it at a database file: sqlite:///path/to/app.db",
        )
    path = Path(name)
    if not path.is_absolute() and root is not None:
        path = root / path
    if not path.is_file():
        # SQLite would create an empty file; a missing file is a wrong path.
        raise AnalysisError(
            f"SQLite database file {path} does not exist",
            location=pos,
            hint="fix the path in database.url (relative paths start at the spec's folder)",
        )
    return target.set(database=str(path))


def _check_backend(target: sa.URL, dialect: str, pos: Location | None) -> None:
    backend = target.get_backend_name()
    ours = _BACKENDS.get(backend)
    if ours != dialect:
        fix = f"set database.dialect: {ours}" if ours else "use a postgresql, sqlite or mysql URL"
        raise AnalysisError(
            f"database.url is a {backend} database but database.dialect is {dialect}",
            location=pos,
            hint=fix,
        )


def _engine(target: sa.URL, pos: Location | None) -> sa.Engine:
    args: dict[str, object] = {}
    libpq = target.get_driver_name() in ("psycopg", "psycopg2")
    if libpq and "connect_timeout" not in target.query:
        args["connect_timeout"] = _CONNECT_TIMEOUT
    try:
        return sa.create_engine(target, connect_args=args)
    except (ImportError, sa.exc.NoSuchModuleError) as error:
        raise AnalysisError(
            f"cannot load the database driver for {shown_url(target)}: {error}",
            location=pos,
            hint=f"install the driver named in the URL ({_DRIVERS})",
        ) from None


@contextmanager
def _server_errors(target: sa.URL, pos: Location | None) -> Iterator[None]:
    """Database errors as one AnalysisError naming the URL (never its password)."""
    try:
        yield
    except sa.exc.DBAPIError as error:
        reason = hide_password(" ".join(str(error.orig).split()), target)
        raise AnalysisError(
            f"cannot read the schema of {shown_url(target)}: {reason[:400]}",
            location=pos,
            hint=_advice(reason),
        ) from None


def _advice(reason: str) -> str:
    lowered = reason.lower()
    if "password" in lowered or ("role" in lowered and "does not exist" in lowered):
        return (
            "check the user name and password in database.url; keep the password out of the "
            "spec with url: ${DATABASE_URL}"
        )
    if "database" in lowered and "does not exist" in lowered:
        return "create the database first (createdb NAME), or fix its name in database.url"
    if any(
        word in lowered
        for word in ("refused", "resolve host", "translate host", "timeout", "timed out")
    ):
        return "is the server running and listening there? check host and port in database.url"
    if "permission denied" in lowered:
        return "the user in database.url needs the right to read the schema (GRANT USAGE, SELECT)"
    return "check database.url and that the server accepts connections from this machine"
