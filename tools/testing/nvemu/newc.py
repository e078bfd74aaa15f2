#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""newc - write the cpio "newc" archives the kernel unpacks as initramfs.

The one cpio writer of the nvemu test tools: mkinitramfs archives its
staging directory with it (newc.py [--mtime SECONDS] DIR > FILE), run-vm
imports it for the small archive it appends to the initrd.  The format is
Documentation/driver-api/early-userspace/buffer-format.rst: per entry a
110-byte ASCII header, the NUL-terminated name and the data, each padded
to 4 bytes; a "TRAILER!!!" entry ends the archive.

Every entry is owned by root (uid/gid 0), has device 0:0 and an inode
number counted from 1, so the same input gives the same bytes.  Hard links
are not kept (each name gets its data), which the kernel does not mind.
"""

import argparse
import io
import os
import stat
import sys

MAGIC = b'070701'
TRAILER = 'TRAILER!!!'


class Writer:
    """Writes entries to a binary stream, keeping the 4-byte alignment."""

    def __init__(self, out):
        self.out = out
        self.pos = 0
        self.ino = 0

    def _write(self, b):
        self.out.write(b)
        self.pos += len(b)

    def _pad(self):
        self._write(b'\0' * (-self.pos % 4))

    def add(self, name, mode, data=b'', mtime=0, rdev=(0, 0), nlink=None):
        """One entry; data is bytes (a file's content, a symlink's target)."""
        nameb = name.encode() + b'\0'
        if nlink is None:
            nlink = 2 if stat.S_ISDIR(mode) else 1
        self.ino += 1
        ino = 0 if name == TRAILER else self.ino
        fields = (ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rdev[0], rdev[1],
                  len(nameb), 0)
        self._write(MAGIC + b''.join(b'%08X' % v for v in fields) + nameb)
        self._pad()
        if data:
            self._write(data)
            self._pad()

    def add_tree(self, root, mtime=0):
        """Everything below root (not root itself), parents before children,
        in byte order of the path like `find | LC_ALL=C sort`."""
        root = os.fsencode(root)
        paths = []
        for d, dirs, files in os.walk(root):
            paths += [os.path.relpath(os.path.join(d, n), root) for n in dirs + files]
        for rel in sorted(paths):
            path = os.path.join(root, rel)
            st = os.lstat(path)
            name = os.fsdecode(rel)
            if stat.S_ISREG(st.st_mode):
                with open(path, 'rb') as f:
                    data = f.read()
            elif stat.S_ISLNK(st.st_mode):
                data = os.readlink(path)
            else:
                data = b''
            rdev = (os.major(st.st_rdev), os.minor(st.st_rdev)) \
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else (0, 0)
            nlink = st.st_nlink if stat.S_ISDIR(st.st_mode) else 1
            self.add(name, st.st_mode, data, mtime=mtime, rdev=rdev, nlink=nlink)

    def close(self):
        self.add(TRAILER, 0, nlink=1)


def archive(entries):
    """The archive of entries (name, mode, data bytes or None for a
    directory) as bytes."""
    out = io.BytesIO()
    w = Writer(out)
    for name, mode, data in entries:
        w.add(name, mode, data or b'')
    w.close()
    return out.getvalue()


def main():
    p = argparse.ArgumentParser(
        description='Write a newc cpio archive of the contents of DIR to stdout.')
    p.add_argument('--mtime', type=int, default=0,
                   help='modification time of every entry (default 0)')
    p.add_argument('dir')
    a = p.parse_args()
    out = sys.stdout.buffer
    w = Writer(out)
    w.add_tree(a.dir, mtime=a.mtime)
    w.close()
    out.flush()


if __name__ == '__main__':
    main()
