"""`scaffold serve`: run a spec's generated web app locally on an embedded SQLite database.

The database file is created from the spec's DDL (transpiled to SQLite) on first start; the
generated package is generated first when its web.py is missing.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scaffold.errors import Location, SpecError

Progress = Callable[[str], None]


def serve(
    spec_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    db: Path | None = None,
    progress: Progress | None = None,
) -> None:
    """Build the app and serve it with uvicorn until interrupted."""
    import uvicorn

    say = progress or (lambda _msg: None)
    app, database = build_app(spec_path, db, say)
    say(f"database: {database}")
    say(f"serving on http://{host}:{port}/ (Ctrl+C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def build_app(
    spec_path: Path, db: Path | None = None, progress: Progress | None = None
) -> tuple[Any, Path]:
    """The generated app over its SQLite database (created when missing), and that file."""
    from scaffold.pipeline import load

    say = progress or (lambda _msg: None)
    spec = load(spec_path)
    if spec.output is None or spec.output.web != "starlette":
        raise SpecError(
            "the spec has no web adapter",
            location=Location(str(spec_path)),
            hint="add `web: starlette` under `output:` and run `scaffold gen`",
        )
    package = spec.output.package
    if not (package / "web.py").is_file():
        say(f"{package / 'web.py'} is missing: generating")
        _generate(spec_path)
    database = (db or default_database(spec.root, spec.app)).resolve()
    engine = sqlite_engine(database)
    if not _has_tables(engine):
        create_schema(engine, spec)
        say(f"created {database} from the schema")
    web = import_generated(package, "web")
    return web.create_app(engine, secret=_secret(spec.root)), database


def serve_folder(root: Path) -> Path:
    """.scaffold/serve beside the spec: local data (the database, the CSRF key) git ignores."""
    folder = root / ".scaffold" / "serve"
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# scaffold serve: local data, never committed\n*\n")
    return folder


def default_database(root: Path, app: str) -> Path:
    return serve_folder(root) / f"{app}.sqlite3"


def _secret(root: Path) -> str:
    """The key that signs CSRF tokens, kept in the ignored folder so a restart keeps pages open
    in a browser working."""
    path = serve_folder(root) / "secret"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _generate(spec_path: Path) -> None:
    from scaffold.pipeline import generate

    generate(spec_path)


def sqlite_engine(path: Path) -> Any:
    """A SQLAlchemy engine on a SQLite file, with foreign keys enforced."""
    from sqlalchemy import create_engine, event

    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _foreign_keys(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA foreign_keys = ON")

    return engine


def _has_tables(engine: Any) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(engine).get_table_names())


def create_schema(engine: Any, spec: Any) -> None:
    """Create the spec's tables and views (its DDL transpiled to SQLite)."""
    from scaffold.pipeline import read_catalog
    from scaffold.plan.ddl import schema_ddl

    with engine.begin() as conn:
        for statement in schema_ddl(read_catalog(spec), "sqlite"):
            conn.exec_driver_sql(statement)


def import_generated(package: Path, module: str) -> Any:
    """Import `<package>.<module>` from the generated package's folder, afresh."""
    name = package.name
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]
    folder = str(package.parent)
    if folder in sys.path:  # first on the path, so a same-named package elsewhere loses
        sys.path.remove(folder)
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    return importlib.import_module(f"{name}.{module}")
