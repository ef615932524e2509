#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/core/sgvec.py DEV OPS THREADS SEED NSEGS... [--tables PROFILE:NAME INLINE]

For each NSEGS: THREADS threads each do OPS O_DIRECT vectored writes and
read-backs of NSEGS scattered pages: every iovec is a page of its own,
taken in random order from every other page of a private mapping whose
every page is faulted in, so two iovecs are (almost always) not physically
adjacent and each is a segment of its own.  The first iovec starts 512
bytes into its page and the last ends 512 bytes into its own (PRP1 at an
offset).  Each thread works on its own 8 MiB region of DEV; every byte read
back is compared.

--tables: read the hit count of kprobe NAME in PROFILE (kprobe_profile)
around each NSEGS: requests of at most INLINE segments must take no table,
longer ones at least one for every other request (pages that happen to be
physically adjacent merge into one segment).  Exit 0 if all data matches
and the counts are as expected.
"""
import mmap
import os
import random
import sys
import threading

PAGE = 4096


def worker(dev, nsegs, ops, tid, seed, errors):
    rnd = random.Random(seed * 1000 + tid * 131 + nsegs)
    fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
    wmap = mmap.mmap(-1, 2 * nsegs * PAGE)
    rmap = mmap.mmap(-1, 2 * nsegs * PAGE)
    for m in (wmap, rmap):
        for p in range(2 * nsegs):
            m[p * PAGE] = 1
    region = (8 << 20) * tid
    try:
        for _ in range(ops):
            wpages = rnd.sample(range(0, 2 * nsegs, 2), nsegs)
            rpages = rnd.sample(range(0, 2 * nsegs, 2), nsegs)
            wv = [memoryview(wmap)[p * PAGE:(p + 1) * PAGE] for p in wpages]
            rv = [memoryview(rmap)[p * PAGE:(p + 1) * PAGE] for p in rpages]
            wv[0], rv[0] = wv[0][512:], rv[0][512:]
            wv[-1], rv[-1] = wv[-1][:512], rv[-1][:512]
            data = rnd.randbytes(sum(len(v) for v in wv))
            pos = 0
            for v in wv:
                v[:] = data[pos:pos + len(v)]
                pos += len(v)
            off = region + rnd.randrange(0, (8 << 20) // PAGE - nsegs) * PAGE
            if os.pwritev(fd, wv, off) != len(data):
                errors.append(f"thread {tid}: short write at {off}")
                return
            if os.preadv(fd, rv, off) != len(data):
                errors.append(f"thread {tid}: short read at {off}")
                return
            if b"".join(bytes(v) for v in rv) != data:
                errors.append(f"thread {tid}: data differs at {off} ({nsegs} segments)")
                return
    except OSError as e:
        errors.append(f"thread {tid}: {e}")
    finally:
        os.close(fd)


def hits(profile, name):
    with open(profile) as f:
        for line in f:
            p = line.split()
            if p and p[0] == name:
                return int(p[1])
    raise SystemExit(f"sgvec: no kprobe {name} in {profile}")


def main():
    args = sys.argv[1:]
    tables = None
    if "--tables" in args:
        i = args.index("--tables")
        profile, _, name = args[i + 1].partition(":")
        tables = (profile, name, int(args[i + 2]))
        del args[i:i + 3]
    dev, ops, threads, seed = args[0], *map(int, args[1:4])
    errors = []
    for nsegs in map(int, args[4:]):
        before = hits(*tables[:2]) if tables else 0
        ts = [threading.Thread(target=worker, args=(dev, nsegs, ops, t, seed, errors))
              for t in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        line = f"sgvec: {threads} x {ops} writes + reads of {nsegs} scattered pages"
        if tables:
            got, reqs = hits(*tables[:2]) - before, 2 * ops * threads
            line += f", {got} pooled tables for {reqs} requests"
            if nsegs <= tables[2] and got:
                errors.append(f"{nsegs}-segment requests took {got} pooled tables, want 0")
            if nsegs > tables[2] and got < reqs // 2:
                errors.append(f"{nsegs}-segment requests took {got} pooled tables, want >= {reqs // 2}")
        print(line, flush=True)
        if errors:
            break
    for e in errors:
        print("sgvec: FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
