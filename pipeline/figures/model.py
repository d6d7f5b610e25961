"""The data the figure checker reads and writes: figures found in a text, issues, check results."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One figure in a text.

    ``kind`` is one of quantity (a cardinal with or without a unit), percent, percentage_points, range,
    year, date, time, decade, ordinal, multiple, or numeric_name (a slogan or name built on a number:
    四同, 两个维护, "3+1", 米格-29, which is reported but only checked softly).
    ``value`` is normalised: a number for quantities, percents, ordinals and years; ``[low, high]`` for
    ranges; an ISO-8601 string for dates ("2024-01-17", "2023-09", "--01-01" for a day and month without a
    year, "---09" for a bare day); "HH:MM" for times; ``None`` for numeric names. ``approx`` is one of
    ``more_than``, ``less_than``, ``about``, ``at_least``, ``at_most`` or ``None``. ``start``/``end`` are
    character offsets into the text given to the extractor. ``soft`` figures (slogans, idiomatic uses
    such as 一年来, the pronoun "one") never raise an issue on their own.
    """

    text: str
    kind: str
    value: object
    start: int
    end: int
    approx: str | None = None
    unit: str | None = None
    soft: bool = False
    parts: tuple[Figure, ...] = ()
    # Other readings of an ambiguous figure (17年 is 17 years or 2017), tried when matching.
    alternatives: tuple[float, ...] = field(default=(), compare=False)
    # How the number was written: "digits", "words" (Chinese numerals or English words), "mixed".
    written: str = "digits"

    def to_json(self) -> dict:
        """The figure as a JSON-ready dict (the ``brief figures --json`` contract)."""
        data = {"text": self.text, "kind": self.kind, "value": _json_value(self.value), "approx": self.approx,
                "unit": self.unit, "start": self.start, "end": self.end, "soft": self.soft}
        if self.parts:
            data["parts"] = [p.to_json() for p in self.parts]
        return data


def _json_value(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


@dataclass(frozen=True)
class Issue:
    """A problem with one figure: ``missing``, ``mismatch``, ``unsupported`` (hard issues) or ``approx_lost``
    (a warning, which does not flag a segment)."""

    type: str
    source: str | None
    target: str | None
    message: str
    # What a mismatch is about: "value" (a digit or a word), "scale", "unit", "code" or "points_vs_percent"
    # (percentage points rendered as a percent or the reverse: for a person to review). Not in the JSON,
    # whose contract is the four fields above.
    subtype: str | None = None

    def to_json(self) -> dict:
        """The issue as a JSON-ready dict (the ``brief check --json`` contract: type, source, target, message)."""
        return {"type": self.type, "source": self.source, "target": self.target, "message": self.message}


@dataclass
class CheckResult:
    """The verdicts for one source segment and its translation."""

    source: str
    target: str
    source_figures: list[Figure]
    target_figures: list[Figure]
    issues: list[Issue]
    warnings: list[Issue]
    matches: list[tuple[Figure, Figure]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no hard issue was found (warnings do not count)."""
        return not self.issues


class Claims:
    """The figures found in a text so far, and the characters they cover.

    Extractors try their patterns from the most specific to the most general; a later pattern may only
    take characters that no earlier one took (a date's 9日 is not also a quantity).
    """

    def __init__(self, length: int) -> None:
        self._taken = bytearray(length)
        self.figures: list[Figure] = []

    def free(self, start: int, end: int) -> bool:
        return not any(self._taken[start:end])

    def claim(self, start: int, end: int) -> None:
        """Mark characters as taken without a figure (an idiom, a name that only looks numeric)."""
        self._taken[start:end] = b"\x01" * (end - start)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        self.claim(figure.start, figure.end)

    def in_order(self) -> list[Figure]:
        return sorted(self.figures, key=lambda f: f.start)
