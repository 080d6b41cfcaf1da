"""Your code for helpdesk: scaffold created this module once and never rewrites it.

The generated code calls the hooks below when this module defines them; remove one to go back
to the generated behaviour. Keep hand edits here, not in the generated files: `scaffold gen`
refuses to overwrite those.

validate_<form>(value) -> dict[str, list[str]]
    Extra validation for a form. `forms/<form>.parse` calls it with the typed input once every
    field parsed and the schema's checks passed. Return error messages by field name ("" for
    the whole form); an empty dict accepts the value.

Hooks of this spec:
    validate_open_ticket(value: rows.OpenTicketInput) -> dict[str, list[str]]
    validate_add_agent(value: rows.AddAgentInput) -> dict[str, list[str]]
    validate_update_ticket(value: rows.UpdateTicketInput) -> dict[str, list[str]]

Example:

    from .rows import OpenTicketInput

    def validate_open_ticket(value: OpenTicketInput) -> dict[str, list[str]]:
        return {}

Import from `.rows` freely; import `.forms` only inside a function (the forms import this
module).
"""

from __future__ import annotations
