"""How counts read in messages: "1 caption", "2 captions"."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1: ``plural(1, "caption")`` -> '1 caption',
    ``plural(2, "sentence")`` -> '2 sentences'; ``many`` for an irregular plural."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
