"""scaffold: an architect's spec in, typed and tested CRUD glue out."""

from __future__ import annotations

__version__ = "0.1.0"
