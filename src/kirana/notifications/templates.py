"""Messages per event, channel and language, from the Jinja templates in ``templates/``.

Each event has two files per language: ``<kind>.txt`` with one block per plain-text part
(``subject``, ``text`` for email, ``sms``, ``push_title``, ``push_body``) and ``<kind>.html``,
the email's HTML (escaped, on the shared ``_layout.html``). A language without a template falls
back to English.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

LANGUAGES = ("en", "hi")
KINDS = (
    "order_confirmed",
    "out_for_delivery",
    "delivered",
    "cancelled",
    "refunded",
    "substitution_proposed",
    "login_code",
    "offer",
)
ROOT = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    push_title: str
    push_body: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(ROOT),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a context missing a name fails the test, not the customer
        keep_trailing_newline=False,
    )


def render(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    if kind not in KINDS:
        raise ValueError(f"no templates for {kind!r}")
    lang = language if language in LANGUAGES else "en"
    env = _environment()
    values = {"lang": lang, "url": "", **context}
    parts = env.get_template(f"{lang}/{kind}.txt")
    ctx = parts.new_context(values)
    blocks = {name: "".join(block(ctx)).strip() for name, block in parts.blocks.items()}
    html = env.get_template(f"{lang}/{kind}.html").render(values)
    return Rendered(
        subject=blocks["subject"],
        text=blocks["text"],
        html=html,
        sms=blocks["sms"],
        push_title=blocks["push_title"],
        push_body=blocks["push_body"],
    )
