"""Exceptions the library raises for problems a user can fix.

Every message is one line that names what went wrong, shows the value and, where there is one, the fix.
The CLI prints ``brief: error: <message>`` and exits with ``exit_code``; the library never exits.
"""


class BriefError(Exception):
    """Base class: a problem with the input, the options or the environment, not a bug."""

    exit_code = 2


class InputError(BriefError):
    """An input file cannot be used: missing, a directory, empty, binary, undecodable or too large."""


class NoChineseTextError(InputError):
    """The input decodes but has no Chinese text to work on (an English-only article, say)."""


class UsageError(BriefError):
    """Options that do not fit together, or a value out of range."""


class ModelNotFoundError(BriefError):
    """A model is not on disk and cannot (or may not) be downloaded, or a file of it is damaged."""


class OutputError(BriefError):
    """The outputs or the translation memory cannot be written (a read-only folder, a full disk), found
    before the work or when it stopped the batch; the message names the real cause and how to resume."""
