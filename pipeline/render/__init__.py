"""Renderers of the bilingual brief: ``markdown``, ``html``, ``docx`` (python-docx), one module a format.

Each takes a ``pipeline.brief.Brief`` and returns text (bytes for Word). They read the brief's fields and
never import ``pipeline.brief`` (which imports them): the dependency runs one way.
"""


def flag_text(flag: dict) -> str:
    """How a unit's QA flag (``pipeline.brief.Unit.flags``) reads in a brief: a sentence the user edited is
    marked as their reviewed English, not as a warning; anything else is its severity and label."""
    if flag.get("stage") == "review":
        return "✓ reviewed: your edited English, kept"
    return f"⚠ {flag['severity']}: {flag['label']}"
