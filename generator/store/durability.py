"""Writes that last: files put in place whole or not at all, made durable in rounds, no links.

Every file is written to a temporary file beside its place and renamed in only once it is on the
disk; a round of many files is made durable together, by one syncfs per local file system where
Linux offers it (an fsync per file and folder spent the cores the readers need), else file by
file. The store follows no symbolic link, so that nothing is written or read outside it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import platform
import re
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class StoreLinkError(OSError):
    """The store holds a symbolic link: it follows none (a link could make it write, or publish,
    files outside itself), and says where."""


def open_nofollow(path: Path, flags: int) -> int:
    """A descriptor for ``path``, refusing a symbolic link in its place (O_NOFOLLOW)."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise link_error([path]) from None
        raise


def link_error(links: Sequence[Path]) -> StoreLinkError:
    shown = ", ".join(str(p) for p in links[:5]) + (f" and {len(links) - 5} more" if len(links) > 5 else "")
    return StoreLinkError(
        errno.ELOOP,
        f"the returns store holds symbolic links or other entries that are not plain files or "
        f"folders ({shown}); it follows none, so that nothing is written or read outside it: "
        "replace each with the real file or folder, then run again",
    )


def write_tmp(path: Path, data: bytes, fsync: bool) -> Path:
    """``data`` in a temporary file beside ``path`` (its folder exists), not yet in place; made
    durable here if ``fsync`` (on the descriptor that wrote it, which is sure to hear of a failed
    write), else by the round's :class:`Durable`. A failed write leaves no temporary file."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with os.fdopen(open_nofollow(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _find_syncfs() -> Callable[[int], int] | None:
    """Linux's syncfs(2), where it reports write-back errors (Linux 5.8 on; before, it said
    nothing of a failed write, so fsync is used there and on other systems)."""
    release = re.match(r"(\d+)\.(\d+)", platform.release())
    if sys.platform != "linux" or not release or tuple(map(int, release.groups())) < (5, 8):
        return None
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    syncfs.argtypes, syncfs.restype = [ctypes.c_int], ctypes.c_int
    return syncfs


SYNCFS = _find_syncfs()
_syncfs_refused = False  # once refused (a sandbox, say), not asked again
# local-disk file systems, whose syncfs makes data as durable as fsync does; on others (FUSE,
# network file systems) it may write data back without asking the server to keep it
SYNCFS_TYPES = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "zfs", "tmpfs"})


def fs_type(device: int) -> str:
    """The type of the mounted file system with this device number ("" if not found)."""
    want = f"{os.major(device)}:{os.minor(device)}"
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines():
            fields, _, rest = line.partition(" - ")
            if fields.split()[2:3] == [want] and rest:
                return rest.split()[0]
    return ""


class Durable:
    """Makes what a round writes under some folders reach the disk.

    On Linux with a local-disk file system, by one syncfs per file system: a round of hundreds
    of files then costs one journal commit, where an fsync per file and folder spent the cores
    the readers need. Each syncfs is on a descriptor opened before the writes, as syncfs reports a
    failed write-back only to descriptors open when it failed. Elsewhere, or if syncfs is
    refused (a sandbox, say), each file is fsynced as it is written and each folder after.
    """

    def __init__(self, folders: Collection[Path]) -> None:
        self.fds: dict[int, int] = {}  # device -> a descriptor on a folder of that file system
        self.per_file = SYNCFS is None or _syncfs_refused
        try:
            for folder in [] if self.per_file else folders:
                device = folder.stat().st_dev
                if device in self.fds:
                    continue
                if fs_type(device) not in SYNCFS_TYPES:
                    self.per_file = True
                    break
                self.fds[device] = os.open(folder, os.O_RDONLY)
        except BaseException:
            self.close()
            raise
        if self.per_file:
            self.close()

    def sync(self, paths: Collection[Path], fsynced: bool = False) -> None:
        """What was written to ``paths`` (files, or folders whose entries changed) reaches the
        disk. ``fsynced``: the files were fsynced as they were written (``per_file``)."""
        if not self.per_file:
            assert SYNCFS is not None
            for fd in self.fds.values():
                if SYNCFS(fd) != 0:
                    err = ctypes.get_errno()
                    if err not in (errno.ENOSYS, errno.EPERM, errno.EINVAL):
                        raise OSError(err, f"syncfs failed: {os.strerror(err)}")
                    global _syncfs_refused
                    _syncfs_refused = self.per_file = True  # fsync each path instead
                    break
            else:
                return
        if not fsynced:
            for p in paths:
                fsync_path(p)

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()

    def __enter__(self) -> Durable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


ROUND = 256  # files stored per round of writes and ledger append


@dataclass
class Writes:
    """The writes of a round of returns, put in place together and in order.

    Every file is first written to a temporary file, and the round's files are made durable
    together (:class:`Durable`); only then are they renamed into place, in the order they
    were asked for (a replaced return reaches history/ before its successor takes its place),
    and the folders made durable so the renames last. Should any write fail, the temporary
    files are removed and nothing is in place.
    """

    ops: list[tuple[Path, bytes | None]] = field(default_factory=list)  # None: remove the file
    root: Path | None = None  # the store: no folder between it and a file may be a link
    slots: set[Path] = field(default_factory=set)
    placing: bool = False  # files are being put in place: from here a failure may leave some there

    def put(self, path: Path, data: bytes) -> None:
        self.ops.append((path, data))

    def remove(self, path: Path) -> None:
        self.ops.append((path, None))

    def commit(self) -> None:
        writes = {i: (path, data) for i, (path, data) in enumerate(self.ops) if data is not None}
        folders = sorted({path.parent for path, _ in self.ops})  # a removed file's folder exists
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            if self.root is not None:  # a link made since the store was checked (a race)
                between = [folder, *folder.parents[: len(folder.relative_to(self.root).parts) - 1]]
                if linked := [f for f in between if f.is_symlink()]:
                    raise link_error(linked)
        with Durable(folders) as durable:
            self._put_in_place(writes, durable)
            durable.sync(folders)
        self.ops.clear()
        self.slots.clear()
        self.placing = False

    def _put_in_place(self, writes: Mapping[int, tuple[Path, bytes]], durable: Durable) -> None:
        tmps: dict[int, Path] = {}
        written = False
        try:
            for i, (path, data) in writes.items():
                tmps[i] = write_tmp(path, data, fsync=durable.per_file)
            durable.sync(list(tmps.values()), fsynced=durable.per_file)
            written = True
        finally:
            if not written:  # a write failed, or the round was interrupted: no temporary file stays
                for t in tmps.values():
                    t.unlink(missing_ok=True)
        self.placing = True
        moved: set[int] = set()
        try:
            for i, (path, content) in enumerate(self.ops):
                if content is None:
                    path.unlink(missing_ok=True)
                else:
                    tmps[i].replace(path)
                    moved.add(i)
        finally:
            for i, t in tmps.items():  # a rename failed: the files not yet in place are dropped
                if i not in moved:
                    t.unlink(missing_ok=True)
