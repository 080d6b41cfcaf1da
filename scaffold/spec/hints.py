"""A correct example for each place in a spec, shown as the hint of an error there."""

from __future__ import annotations

# Key paths; "*" stands for a name the user chose (a query, state, form or field).
EXAMPLES: dict[str, str] = {
    "spec": "version: 1, app: shop, database: {dialect: sqlite, schema: [schema.sql]}",
    "version": "version: 1",
    "app": "app: bookshop",
    "database": "database: {dialect: sqlite, schema: [schema.sql]}",
    "database.schema": "schema: [schema.sql], or a folder of migrations: schema: migrations",
    "database.url": 'url: "postgresql://user@localhost/shop"',
    "queries": "queries: {file: query.sql, recent: SELECT id FROM books}",
    "queries.file": "file: [query.sql], or a folder: file: queries",
    "queries.*": "books_by_author: SELECT ... or {sql: SELECT ..., cardinality: many}",
    "state": "state: {books: {owner: server, query: ListBooks, key: id}}",
    "state.*": "books: {owner: server, query: ListBooks, key: id}",
    "state.*.query": "query: ListBooks (a name from queries)",
    "state.*.key": "key: id, or key: [order_id, line_no]",
    "state.*.fields": "fields: {book_id: int, qty: int}",
    "state.*.fields.*": "qty: int",
    "state.*.from": "from: [cart, books]",
    "state.*.compute": "compute: sum of qty times price",
    "forms": "forms: {add_book: {table: books, fields: [title, price]}}",
    "forms.*": "add_book: {table: books, fields: [title, price]}",
    "forms.*.table": "table: books",
    "forms.*.fields": "fields: [title, price]",
    "forms.*.key": "key: id, or key: [order_id, line_no]",
    "forms.*.choices": 'choices: {author_id: "SELECT id, name FROM authors"}',
    "forms.*.choices.*": 'author_id: "SELECT id, name FROM authors"',
    "forms.*.labels": "labels: {title: Book title}",
    "forms.*.labels.*": "title: Book title",
    "forms.*.help": "help: {price: In euros.}",
    "forms.*.help.*": "price: In euros.",
    "forms.*.rules": 'rules: ["price < 1000", {rule: "qty > 0", message: Order at least one.}]',
    "forms.*.rules.rule": 'rule: "qty > 0"',
    "forms.*.rules.message": "message: Order at least one.",
    "forms.*.examples": 'examples: {valid: [{title: Dune}], invalid: [{title: ""}]}',
    "forms.*.examples.valid": "valid: [{title: Dune, price: '9.99'}]",
    "forms.*.examples.invalid": 'invalid: [{title: ""}]',
    "writer": "writer: {default: template}",
    "writer.llm": "llm: {model: qwen2.5-coder:7b, base_url: http://localhost:11434/v1}",
    "writer.llm.model": "model: qwen2.5-coder:7b",
    "writer.llm.base_url": "base_url: http://localhost:11434/v1",
    "writer.llm.temperature": "temperature: 0",
    "writer.llm.max_attempts": "max_attempts: 3",
    "writer.llm.concurrency": "concurrency: 4",
    "writer.llm.timeout": "timeout: 120",
    "output": "output: {package: src/shop, tests: tests/generated}",
    "output.package": "package: src/shop",
    "output.tests": "tests: tests/generated",
}


def example_hint(where: str) -> str | None:
    """'for example: ...' for a key path such as forms.add_book.fields, or None."""
    parts = where.split(".")
    for pattern, example in EXAMPLES.items():
        wanted = pattern.split(".")
        if len(wanted) == len(parts) and all(
            w in ("*", p) for w, p in zip(wanted, parts, strict=True)
        ):
            return f"for example: {example}"
    return None
