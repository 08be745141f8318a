"""Reading a source file (`.bend`, `.hvm`) for the commands and the Python API.

In:  a path.
Out: its text, or an HvmError saying why there is none: no such file, a directory, not UTF-8
     (pointing at the first bad byte, its line shown with `�` in its place), larger than
     MAX_SOURCE_BYTES (so an endless device such as /dev/zero is an error, not a process that
     eats the machine's memory), or what the system says.
"""

from __future__ import annotations

from pathlib import Path

from hvm.errors import HvmError, Span

MAX_SOURCE_BYTES = 64 << 20  # (a million-character string literal is 1 MB)


def read_source(path: Path | str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise HvmError(f"cannot read `{path}`: no such file") from None
    except IsADirectoryError:
        raise HvmError(f"cannot read `{path}`: it is a directory") from None
    except OSError as err:
        raise HvmError(f"cannot read `{path}`: {err.strerror or err}") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise HvmError(f"cannot read `{path}`: it is larger than {MAX_SOURCE_BYTES >> 20} MiB",
                       hint="a source file this large (or endless, as a device) is not a program")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        shown = data.decode("utf-8", errors="replace")
        at = len(data[:err.start].decode("utf-8"))  # (the bytes before the first bad one are UTF-8)
        raise HvmError(f"cannot read `{path}`: not UTF-8 text (byte 0x{data[err.start]:02x})",
                       Span(str(path), shown, at, at + 1), hint="save the file as UTF-8") from None
