"""HTML rendering: tables and the self-contained report (jinja2, autoescape on).

Every user-provided string (titles, labels, levels, file names, config text) reaches
the page through jinja2's autoescaping; fragments built by other renderers are
``markupsafe.Markup`` only after they were escaped themselves.  Figures are embedded as
base64 PNG, so the report opens with no network and no side files.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:  # pragma: no cover
    from jinja2 import Environment

    from serostudy._tables import DisplayTable


@lru_cache(maxsize=1)
def environment() -> "Environment":
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("serostudy", "_render/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def table_html(table: "DisplayTable") -> Markup:
    """A ``<figure>`` with caption, the table panels and footnotes (escaped)."""
    return Markup(environment().get_template("table.html.j2").render(t=table))


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_report(context: dict[str, Any]) -> str:
    """The whole report page from a context assembled by the pipeline."""
    return environment().get_template("report.html.j2").render(**context)


def render_template(name: str, **context: Any) -> Markup:
    """Render a package template to an (escaped) fragment; for stages' sections."""
    return Markup(environment().get_template(name).render(**context))
