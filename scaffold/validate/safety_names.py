"""The names the safety policy refuses in model-written code, and why."""

from __future__ import annotations

# Pure standard-library modules a function body may import besides the contract's own.
SAFE_IMPORTS = frozenset(
    {
        "re",
        "math",
        "decimal",
        "datetime",
        "string",
        "unicodedata",
        "itertools",
        "functools",
        "operator",
        "collections",
        "collections.abc",
        "dataclasses",
        "enum",
        "typing",
        "statistics",
        "fractions",
        "uuid",
        "__future__",
    }
)
# Never allowed, whatever the contract says: process, file, network and interpreter access.
# Also refused as attribute names: `typing.sys`, `collections.os` reach them without an import.
FORBIDDEN_MODULES = frozenset(
    {
        "os",
        "sys",
        "subprocess",
        "socket",
        "http",
        "urllib",
        "requests",
        "httpx",
        "shutil",
        "pathlib",
        "io",
        "builtins",
        "importlib",
        "ctypes",
        "pickle",
        "marshal",
        "shelve",
        "multiprocessing",
        "threading",
        "asyncio",
        "signal",
        "tempfile",
        "glob",
        "inspect",
        "code",
        "codeop",
        "pty",
        "posix",
        "nt",
        "ftplib",
        "smtplib",
        "telnetlib",
        "webbrowser",
        "sqlite3",
        "runpy",
        "gc",
        "resource",
        "mmap",
        "zipimport",
    }
)
# Module names that are ordinary field names too (`value.code`): refused as imports only.
NOT_ATTRIBUTES = frozenset({"code", "signal", "io", "glob", "resource", "http"})
FORBIDDEN_NAMES = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "open",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "input",
        "exit",
        "quit",
        "help",
        "license",
        "credits",
        "copyright",
        "print",
        "memoryview",
        "attrgetter",  # operator.attrgetter("system") is getattr by another name
        "methodcaller",
        "getcontext",  # decimal's context is process-wide state
        "setcontext",
        "create_engine",  # a connection of its own, to anywhere
        "create_async_engine",
        "engine_from_config",
        "get_type_hints",  # evaluates annotation strings: eval by another name
        "ForwardRef",
    }
)
# Dunder names that reach the interpreter, the loader or the module's globals.
FORBIDDEN_DUNDER_NAMES = frozenset(
    {
        "__builtins__",
        "__builtin__",
        "__import__",
        "__loader__",
        "__spec__",
        "__file__",
        "__cached__",
        "__path__",
        "__dict__",
        "__globals__",
        "__build_class__",
    }
)
# Attributes that run code, open connections or reach frames, whatever object they are on.
FORBIDDEN_ATTRIBUTES = (
    frozenset(
        {
            "system",
            "popen",
            "spawn",
            "modules",
            "eval",
            "exec",
            "exec_",
            "import_module",
            "load_module",
            "attrgetter",
            "methodcaller",
            "getcontext",
            "setcontext",
            "create_engine",
            "create_async_engine",
            "engine_from_config",
            "executescript",
            "exec_driver_sql",
            "gi_frame",
            "gi_code",
            "cr_frame",
            "ag_frame",
            "f_globals",
            "f_locals",
            "f_builtins",
            "f_back",
            "f_code",
            "tb_frame",
            "tb_next",
            "co_code",
            "get_type_hints",
            "ForwardRef",
            "listen",  # sqlalchemy.event.listen: process-wide hooks
            "listens_for",
            "getnode",  # uuid.getnode may run a program to find the MAC address
        }
    )
    | FORBIDDEN_MODULES
) - NOT_ATTRIBUTES
# Names refused even where the output never takes them: only an attempt on the system uses them.
SEVERE_NAMES = (
    FORBIDDEN_NAMES - {"print", "help", "license", "credits", "copyright", "memoryview"}
) | FORBIDDEN_DUNDER_NAMES
NAME_MESSAGES = {
    "print": "print is not allowed: generated code returns its results and never prints",
    "getattr": "getattr is forbidden: use the attribute by name",
    "open": "open is forbidden: no file access",
}
# Methods that change the object they are called on (a module constant must not change).
MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "popitem",
        "clear",
        "update",
        "setdefault",
        "add",
        "discard",
        "sort",
        "reverse",
    }
)
# Methods that run SQL text: only a provided constant, by name, may go in.
SQL_RUNNERS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql"})
