"""Stage "analyze": DDL to a Catalog, each query to a QueryInfo, with sqlglot."""
