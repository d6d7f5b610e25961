"""Why a file or folder cannot be written, in words that name the real cause (issue 13).

Python's ``OSError`` text ("File exists", "No such file") and SQLite's ("unable to open database file",
"disk I/O error") often name a symptom: a file where a folder should be is "File exists", a file-size limit
is "disk I/O error". ``cause_of`` maps the errno to the cause; ``diagnose`` looks at the path itself (its
folders, the file system's flags, the process's limits) when all there is is a message.
"""

from __future__ import annotations

import errno
import os
import resource
import tempfile
from pathlib import Path

# errno -> the cause, as the end of a sentence "cannot write X: <cause>".
CAUSES = {
    errno.EROFS: "the file system is read-only",
    errno.EFBIG: "the file would exceed the file-size limit of this process (ulimit -f)",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied (the folder or file is not writable by this user)",
    errno.EPERM: "operation not permitted (the folder or file is not writable by this user)",
    errno.ELOOP: "a symbolic link in the path points back to itself (a symlink loop)",
    errno.ENOTDIR: "a part of the path is a file where a folder should be",
    errno.EEXIST: "a file is where a folder should be",
    errno.ENAMETOOLONG: "the file name is too long for this file system",
    errno.EIO: "an input/output error on the device",
}
# Faults of the place written to, not of one article: they would recur for every article, so the batch stops.
PLACE_FAULTS = frozenset({errno.EROFS, errno.EFBIG, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM,
                          errno.ELOOP, errno.ENOTDIR, errno.EEXIST, errno.EIO})


def cause_of(error: OSError) -> str:
    """The cause of ``error`` in words (``CAUSES``), else its own text."""
    return CAUSES.get(error.errno, error.strerror or str(error))


def where(error: OSError) -> str:
    """The file ``error`` names, as ``NAME: ``, or nothing."""
    return f"{error.filename}: " if error.filename else ""


def diagnose(path: str | Path, *, folder: bool = False) -> OSError | None:
    """Why ``path`` (a file to write, or with ``folder`` a folder to write in) cannot be written, as the
    ``OSError`` that names the cause and the place, or None when nothing is found wrong.

    Checks, in order: a symlink loop, a file where a folder should be, a read-only file system, missing
    write permission, a file-size limit that the file already reaches, no space left.
    """
    path = Path(path)
    target = path if folder else path.parent
    # The nearest existing folder, and a file or loop on the way there.
    probe = target
    while True:
        try:
            os.stat(probe)
        except OSError as e:
            if e.errno == errno.ELOOP:
                return OSError(errno.ELOOP, CAUSES[errno.ELOOP], str(probe))
            if e.errno == errno.ENOTDIR:
                probe = probe.parent
                continue
            if probe.parent == probe:
                return None
            probe = probe.parent
            continue
        if not os.path.isdir(probe):
            return OSError(errno.EEXIST, CAUSES[errno.EEXIST], str(probe))
        break
    try:
        flags = os.statvfs(probe).f_flag
    except OSError:
        flags = 0
    if flags & os.ST_RDONLY:
        return OSError(errno.EROFS, CAUSES[errno.EROFS], str(probe))
    writable = path if not folder and path.exists() else probe
    if not os.access(writable, os.W_OK):
        return OSError(errno.EACCES, CAUSES[errno.EACCES], str(writable))
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        size = path.stat().st_size if not folder and path.is_file() else 0
        if soft <= max(size, 4096):
            return OSError(errno.EFBIG, CAUSES[errno.EFBIG], str(path))
    try:
        space = os.statvfs(probe)
        if space.f_bavail == 0 and os.geteuid() != 0:
            return OSError(errno.ENOSPC, CAUSES[errno.ENOSPC], str(probe))
    except OSError:
        pass
    return None


def check_folder_writable(folder: str | Path) -> None:
    """Create ``folder`` if needed and write (then remove) a small file in it; raises the ``OSError`` that
    names the real cause (``diagnose``) when that fails."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A name of its own (mkstemp), so that two runs, or two threads of one, never trip over each other.
        fd, probe = tempfile.mkstemp(prefix=".brief-write-check-", dir=folder)
        try:
            os.write(fd, b"x" * 16)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as e:
        raise (diagnose(folder, folder=True) or e) from e
