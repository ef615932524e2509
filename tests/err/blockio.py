#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# tests/err/blockio.py write|read DEV FIRST COUNT [BS] [SEED]
#
# Per-block I/O on DEV (O_DIRECT if it is a block device), blocks FIRST..FIRST+COUNT-1 of BS bytes
# (default 4096).  Every block gets a deterministic content (its number and
# SEED, repeated).  write: write every block, print "ERR <block> <errno>"
# for each failed write.  read: read every block and print "ERR <block>
# <errno>" for a failed read, "BAD <block>" for a block that does not hold
# its pattern, "OLD <block>" for one that is all zeros (never written).
# Prints "DONE ok=N err=N bad=N old=N" and exits 0 (the caller judges).
import mmap
import os
import stat
import sys


def pattern(block, bs, seed):
    unit = ("blk%012d-seed%08d|" % (block, seed)).encode()
    return (unit * (bs // len(unit) + 1))[:bs]


def main():
    mode, dev = sys.argv[1], sys.argv[2]
    first, count = int(sys.argv[3]), int(sys.argv[4])
    bs = int(sys.argv[5]) if len(sys.argv) > 5 else 4096
    seed = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    flags = os.O_RDWR if mode == "write" else os.O_RDONLY
    if stat.S_ISBLK(os.stat(dev).st_mode):
        flags |= os.O_DIRECT  # image files (checked on the host): buffered
    fd = os.open(dev, flags)
    buf = mmap.mmap(-1, bs)
    zero = bytes(bs)
    ok = err = bad = old = 0
    for b in range(first, first + count):
        try:
            if mode == "write":
                buf.seek(0)
                buf.write(pattern(b, bs, seed))
                n = os.pwritev(fd, [buf], b * bs)
            else:
                n = os.preadv(fd, [buf], b * bs)
            if n != bs:
                raise OSError(0, "short I/O %d" % n)
        except OSError as e:
            print("ERR %d %d" % (b, e.errno), flush=True)
            err += 1
            continue
        if mode == "read":
            data = bytes(buf[:bs])
            if data == zero:
                print("OLD %d" % b)
                old += 1
                continue
            if data != pattern(b, bs, seed):
                print("BAD %d" % b)
                bad += 1
                continue
        ok += 1
    os.close(fd)
    print("DONE ok=%d err=%d bad=%d old=%d" % (ok, err, bad, old), flush=True)


main()
