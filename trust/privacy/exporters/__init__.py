"""What a data export contains: one function per data type, each returning the
member's own data as JSON-ready values, named by the file it becomes in the ZIP.

A module adds its exporters with `@exporter("name")`; an app that may be absent
(trust.verification) registers only when it can be imported, so the export simply
has no file for it. Exporters read; they never write.
"""

from collections.abc import Callable

Exporter = Callable[..., object]

_EXPORTERS: dict[str, Exporter] = {}


def exporter(name: str) -> Callable[[Exporter], Exporter]:
    """Register `function(*, user)` as the source of `<name>.json`."""

    def register(function: Exporter) -> Exporter:
        if name in _EXPORTERS and _EXPORTERS[name] is not function:
            raise ValueError(f"Two exporters are named {name!r}")
        _EXPORTERS[name] = function
        return function

    return register


def registered_exporters() -> dict[str, Exporter]:
    """Every exporter, by file name, in the order they were registered."""
    return dict(_EXPORTERS)


# Registration happens on import; the order here is the order of files in the ZIP.
from trust.privacy.exporters import (  # noqa: E402, F401
    account,
    economy,
    security,
    streams,
    verification,
)
