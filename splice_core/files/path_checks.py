"""The files and folders a command reads or writes, checked before any work starts (no heavy imports).

Each check raises an OSError subclass whose message names the path as the user gave it and the problem.
"""

import os
import tempfile
from pathlib import Path


def check_input_path(path: str | os.PathLike) -> None:
    """FileNotFoundError for a missing input file, IsADirectoryError for a folder given as one."""
    if Path(path).is_dir():
        raise IsADirectoryError(f"{path}: is a folder, not a file")
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file")


def check_writable_folder(folder: str | os.PathLike, given: str | os.PathLike) -> None:
    """PermissionError (or the OSError met) naming ``given`` when no file can be created in ``folder``.

    Tried for real (a temporary file made and removed): a read-only or full file system, or a folder of
    another user, is found whoever runs the command.
    """
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        reason = os.strerror(err.errno) if err.errno else str(err)
        raise PermissionError(f"{given}: cannot write into {folder} ({reason})") from err


def check_output_file(path: str | os.PathLike) -> None:
    """Raise when the file ``path`` cannot be written: its folder is missing or unwritable, or it is a folder."""
    folder = Path(path).parent
    if Path(path).is_dir():
        raise IsADirectoryError(f"{path}: is a folder; name the file to write")
    if not folder.is_dir():
        raise FileNotFoundError(f"{path}: the folder {folder} does not exist; create it or write elsewhere")
    check_writable_folder(folder, path)


def check_output_folder(path: str | os.PathLike, new: bool = False) -> None:
    """Raise when the folder ``path`` cannot be written into (or made, or, ``new``, when it exists already)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path}: is a file, not a folder")
    if new and path.exists():
        raise FileExistsError(f"{path}: already exists; name a new folder")
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise NotADirectoryError(f"{path}: {existing} is a file, not a folder")
    check_writable_folder(existing, path)
