"""Reading input files: encoding detection and text normalising.

reads: a path; gives: ``SourceText`` (the normalised text and the encoding it was read with).

Normalising is deliberately light, so the text shown to a reader is the author's: line ends become ``\\n``,
a byte-order mark and zero-width characters are removed. Full-width digits, punctuation and spacing are
kept as written; the stages that need a canonical form (figures) derive it themselves.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import select
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.errors import InputError

# An article or report is kilobytes; 10 MiB is a book. Refusing early beats minutes of work on a wrong file.
MAX_INPUT_BYTES = 10 * 1024 * 1024
# The input name that means standard input, in every command.
STDIN = "-"
# How long a named pipe (FIFO) may go without a writer before reading it is given up (``read_bytes``).
PIPE_WAIT_SECONDS = 30.0
_CHUNK = 1 << 20

# Zero-width space/joiners, word joiner, soft hyphen and a stray BOM inside the text: invisible in a
# reader, but they split figures ("10\u200b万") and sentence marks apart.
_INVISIBLE = regex.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_HAN = regex.compile(r"\p{Han}")
_LATIN_LETTER = regex.compile(r"[A-Za-z]")


def has_chinese(text: str) -> bool:
    """True when Chinese characters make up at least a tenth of the letters: text worth segmenting,
    translating or checking as a Chinese source (an English article quoting one name in Chinese is not)."""
    han = len(_HAN.findall(text))
    return han > 0 and han >= 0.1 * (han + len(_LATIN_LETTER.findall(text)))


def is_mostly_chinese(text: str) -> bool:
    """True when a text has more Chinese characters than Latin letters: not an English translation."""
    return len(_HAN.findall(text)) > len(_LATIN_LETTER.findall(text))


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF file (extract its text first, e.g. with pdftotext)"),
    (b"PK\x03\x04", "a ZIP archive or an Office document (save it as plain text first)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (save it as plain text first)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
)

# Characters that text in a Chinese legacy encoding plausibly holds. Random bytes often decode as
# GB18030, but into rare ideographs, private-use and box-drawing characters; real text is mostly these.
_PLAUSIBLE = regex.compile(r"[\p{Han}\p{Latin}\p{N}\p{P}\p{Zs}\s\u3000-\u303f\uff00-\uffef]")


@dataclass(frozen=True)
class SourceText:
    """A decoded, normalised input file."""

    path: str
    text: str
    encoding: str
    # sha256 of the bytes as read (hex): what a run stamp records as the input it translated.
    sha256: str = ""


def normalise_text(text: str) -> str:
    """Normalise line ends to ``\\n`` and drop invisible characters; everything else is kept as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text)


def decode_bytes(data: bytes, name: str = "input") -> tuple[str, str]:
    """Decode ``data``, detecting the encoding: BOM, then UTF-16 by its zero bytes, strict UTF-8, GB18030.

    Returns ``(text, encoding)``. Raises ``InputError`` for binary data or bytes no supported encoding reads.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as e:
                raise InputError(f"{name}: starts with a {encoding} byte-order mark but is not valid "
                                 f"{encoding} (byte {e.start}); re-save it as UTF-8") from e
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: this is {what}, not a text file")
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16:
            return utf16
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(f"{name}: not valid UTF-8 (byte {utf8_error.start}) nor GB18030/GBK; "
                             "re-save it as UTF-8") from utf8_error
        if _plausible_share(text) < 0.95:
            raise InputError(f"{name}: not valid UTF-8 (byte {utf8_error.start}), and as GB18030 it reads "
                             "as noise; is it binary? Re-save it as UTF-8") from utf8_error
        return text, "gb18030"


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a byte-order mark: zero bytes, and one byte order reads as real text."""
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_share(text) >= 0.95:
            return text, encoding
    return None


def _plausible_share(text: str) -> float:
    if not text:
        return 1.0
    return len(_PLAUSIBLE.findall(text)) / len(text)


def display_name(path: str | Path) -> str:
    """How messages name an input: ``stdin`` for ``-``, else the path as given."""
    return "stdin" if str(path) == STDIN else str(path)


def read_bytes(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES,
               pipe_wait: float | None = None) -> bytes:
    """Every byte of a file, standard input (``-``), a named pipe or a device, never more than ``max_bytes``.

    One ``InputError`` for every way that fails: a missing file, a folder, no permission, too large (the same
    message whether the size is known up front or found while reading: ``/dev/zero``, ``yes |``), or a
    named pipe that no program writes to within ``pipe_wait`` seconds (default ``PIPE_WAIT_SECONDS``).
    Memory stays bounded by ``max_bytes``: nothing is read past the limit.
    """
    name = display_name(path)
    if str(path) == STDIN:
        if sys.stdin is None:  # closed (``brief segment - <&-``): Python has no stream for it
            raise InputError(f"{name}: no standard input")
        return _read_stream(sys.stdin.buffer, name, max_bytes)
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as e:  # a symlink loop, a name too long, a folder without permission on the way
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from e
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{name}: is a directory; give a text file (brief translate accepts folders)")
    if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        raise _too_large(name, max_bytes)
    try:
        if stat.S_ISFIFO(info.st_mode):
            return _read_fifo(p, name, max_bytes, PIPE_WAIT_SECONDS if pipe_wait is None else pipe_wait)
        with p.open("rb", buffering=0) as f:
            return _read_stream(f, name, max_bytes)
    except OSError as e:
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from e


def _too_large(name: str, max_bytes: int) -> InputError:
    limit = f"{max_bytes / 1e6:.0f} MB" if max_bytes >= 1e6 else f"{max_bytes} bytes"
    return InputError(f"{name}: more than the {limit} limit for one article; split it into articles")


def _read_stream(f, name: str, max_bytes: int) -> bytes:
    """Read ``f`` to its end in chunks, refusing it as soon as it passes ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = f.read(min(_CHUNK, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(name, max_bytes)


def _read_fifo(p: Path, name: str, max_bytes: int, pipe_wait: float) -> bytes:
    """A named pipe: wait up to ``pipe_wait`` seconds for a writer (a plain open would wait forever), then read
    it like any stream. Opened non-blocking, the pipe reads as empty until a writer comes, so poll for it."""
    fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(int(pipe_wait * 1000)):
            raise InputError(f"{name}: a named pipe that no program wrote to in {pipe_wait:g} s; start the "
                             "program that writes to it first")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", buffering=0) as f:
            fd = -1
            return _read_stream(f, name, max_bytes)
    finally:
        if fd != -1:
            os.close(fd)


def read_text(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> SourceText:
    """Read (``read_bytes``: bounded; ``-`` is standard input) and normalise a text file, with one-line
    ``InputError``s for every way it can be unusable."""
    name = display_name(path)
    data = read_bytes(path, max_bytes=max_bytes)
    text, encoding = decode_bytes(data, name)
    text = normalise_text(text)
    if not text.strip():
        raise InputError(f"{name}: the file is empty" if not data else f"{name}: the file holds only whitespace")
    return SourceText(path=name, text=text, encoding=encoding, sha256=hashlib.sha256(data).hexdigest())


def file_sha256(path: str | Path, *, max_bytes: int | None = None) -> str | None:
    """sha256 (hex) of a regular file's bytes, None when it is missing, unreadable, not a regular file or
    over ``max_bytes``: what a stamp's hashes are compared with."""
    try:
        # Non-blocking: opening a named pipe that no program writes to would otherwise wait forever; a
        # regular file reads the same either way.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or (max_bytes is not None and info.st_size > max_bytes):
                return None
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None
