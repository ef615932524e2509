// SPDX-License-Identifier: GPL-2.0
/*
 * uring-vec: io_uring NVMe passthrough data check on a generic node
 * (/dev/lng<C>n<N>), with raw io_uring system calls (no liburing).
 *
 *   uring-vec [-p] [-P] [-r RINGS] [-n CMDS] [-d DEPTH] [-s SEED] [-e]
 *             -b LBA-BYTES -z BLOCKS -m MAX-BYTES -N NSID DEV
 *
 * Each ring (one process per ring, so rings never share an address space)
 * keeps DEPTH commands in flight on its own LBA range.  Every slot writes a
 * fresh pattern and reads it back, each with NVME_URING_CMD_IO_VEC (3-8
 * iovecs of 512 B..64 KiB, page aligned or at odd offsets) or with
 * NVME_URING_CMD_IO (one buffer, sometimes misaligned), the read with
 * another layout than the write, and checks every byte.  -p sets up the
 * rings with IORING_SETUP_IOPOLL (polled queue); several polled rings
 * share the controller's poll queue, so one ring's poll reaps the others'
 * completions.  -P sends NVME_URING_CMD_IO only.  -e also checks the
 * refusals: too many iovecs, an iovec total shorter than the command (the
 * read buffer must stay untouched), and a bad iovec array pointer.
 * Exit status 0 when everything verified, 1 on any error, 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>
#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define SQE_BYTES	128	/* IORING_SETUP_SQE128 */
#define CQE_BYTES	32	/* IORING_SETUP_CQE32 */
#define MAX_IOV		8
#define MIN_IOV		3
#define IOV_MAX_BYTES	65536
#define IOV_MIN_BYTES	512
#define SLOT_BYTES	(256 * 1024)	/* LBA range and transfer cap of a slot */
#define PAGE		4096
#define MAX_DEPTH	64
#define OPC_WRITE	0x01
#define OPC_READ	0x02

struct ring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	unsigned char *sqes, *cqes;
	unsigned int entries;
};

struct layout {
	int vec;			/* NVME_URING_CMD_IO_VEC */
	int niov;
	struct iovec iov[MAX_IOV];
};

struct slot {
	__u64 base;			/* first LBA of the slot's range */
	__u64 slba;
	__u32 bytes;
	__u64 gen;
	int writing;			/* the command in flight is the write */
	struct layout wl, rl;
	unsigned char *arena;		/* buffers of the layouts */
	unsigned char *expect;
	unsigned char *got;
};

static unsigned int lbs, nsid, depth = 8, ncmds = 2000;
static __u64 nblocks, maxbytes, seed = 1;
static int polled, edge, plain_only;
static const char *devpath;
static int ring_id;
static unsigned long long stat_vec, stat_plain, stat_bytes, stat_bounced;

#define ARENA_BYTES	(2 * MAX_IOV * (IOV_MAX_BYTES + 2 * PAGE))

static __u64 rng_state;

static __u64 rnd(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd_range(__u64 lo, __u64 hi)	/* inclusive */
{
	return lo + rnd() % (hi - lo + 1);
}

static void die(const char *what)
{
	fprintf(stderr, "uring-vec[%d]: %s: %s\n", ring_id, what, strerror(errno));
	exit(1);
}

static int ring_setup(struct ring *r, unsigned int entries)
{
	struct io_uring_params p;
	size_t sq_sz, cq_sz;
	unsigned char *sq, *cq;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
	if (polled)
		p.flags |= IORING_SETUP_IOPOLL;
	r->fd = syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		die("io_uring_setup");
	sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_sz = p.cq_off.cqes + p.cq_entries * CQE_BYTES;
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (cq_sz > sq_sz)
			sq_sz = cq_sz;
		cq_sz = sq_sz;
	}
	sq = mmap(NULL, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		die("mmap SQ ring");
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_sz, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			die("mmap CQ ring");
	}
	r->sqes = mmap(NULL, p.sq_entries * SQE_BYTES, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		die("mmap SQEs");
	r->sq_head = (unsigned int *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = cq + p.cq_off.cqes;
	r->entries = p.sq_entries;
	return 0;
}

/* Queue one passthrough command; submitted by the next ring_enter(). */
static void ring_queue(struct ring *r, int fd, int vec, __u8 opcode,
		       __u64 slba, __u32 nlb, const void *addr,
		       __u32 data_len, __u64 user_data)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = (void *)(r->sqes + idx * SQE_BYTES);
	struct nvme_uring_cmd *cmd;

	memset(sqe, 0, SQE_BYTES);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = vec ? NVME_URING_CMD_IO_VEC : NVME_URING_CMD_IO;
	sqe->user_data = user_data;
	cmd = (struct nvme_uring_cmd *)sqe->cmd;
	cmd->opcode = opcode;
	cmd->nsid = nsid;
	cmd->addr = (uintptr_t)addr;
	cmd->data_len = data_len;
	cmd->cdw10 = (__u32)slba;
	cmd->cdw11 = (__u32)(slba >> 32);
	cmd->cdw12 = nlb - 1;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

static void ring_enter(struct ring *r, unsigned int submit, unsigned int wait)
{
	int ret;

	for (;;) {
		ret = syscall(__NR_io_uring_enter, r->fd, submit, wait,
			      wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
		if (ret >= 0 && (unsigned int)ret == submit)
			return;
		if (ret >= 0) {
			submit -= ret;
			continue;
		}
		if (errno != EINTR)
			die("io_uring_enter");
	}
}

/* One CQE, or 0 when the CQ is empty. */
static int ring_reap(struct ring *r, __u64 *user_data, __s32 *res,
		     __u64 *result)
{
	unsigned int head = *r->cq_head;
	struct io_uring_cqe *cqe;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return 0;
	cqe = (void *)(r->cqes + (head & *r->cq_mask) * CQE_BYTES);
	*user_data = cqe->user_data;
	*res = cqe->res;
	*result = cqe->big_cqe[0];
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

/* The data of block @lba in generation @gen, word by word. */
static void pattern(unsigned char *buf, __u64 slba, __u32 bytes,
		    __u64 gen)
{
	__u64 *w = (__u64 *)buf, i;
	__u64 key = (seed * 0x100000001b3ULL) ^ (gen << 40) ^
		       ((__u64)ring_id << 60);

	for (i = 0; i < bytes / 8; i++) {
		__u64 off = slba * lbs + i * 8;

		w[i] = (off + key) * 0x9e3779b97f4a7c15ULL ^ (off >> 7);
	}
}

/*
 * A random iovec layout of exactly @bytes (a multiple of the LBA size),
 * 3..8 iovecs of 512 B..64 KiB, page aligned (direct mapping) or at odd
 * offsets and lengths (bounce buffers); or one plain buffer.
 */
static int make_layout(struct layout *l, unsigned char *arena,
		       __u32 bytes, int vec)
{
	int aligned = rnd() % 3 == 0, i;
	__u32 left = bytes;

	l->vec = vec;
	if (!vec) {
		static const __u32 offs[] = { 0, 0, 512, 8, 1000, 4095 };
		__u32 off = offs[rnd() % 6];

		l->niov = 1;
		l->iov[0].iov_base = arena + off;
		l->iov[0].iov_len = bytes;
		return 0;
	}
	l->niov = (int)rnd_range(MIN_IOV, MAX_IOV);
	if (bytes < (__u32)l->niov * IOV_MIN_BYTES ||
	    bytes > (__u32)l->niov * IOV_MAX_BYTES)
		return -1;
	for (i = 0; i < l->niov; i++) {
		__u32 rest = l->niov - i - 1, len, lo, hi;
		__u32 off = aligned ? 0 : (__u32)rnd_range(0, PAGE - 1);

		/* Leave each later iovec at least its minimum, at most 64 KiB. */
		lo = left > rest * IOV_MAX_BYTES ? left - rest * IOV_MAX_BYTES :
		     IOV_MIN_BYTES;
		if (lo < IOV_MIN_BYTES)
			lo = IOV_MIN_BYTES;
		hi = left - rest * IOV_MIN_BYTES;
		if (hi > IOV_MAX_BYTES)
			hi = IOV_MAX_BYTES;
		if (rest == 0) {
			len = left;
		} else if (aligned) {
			/* Whole pages, so the block layer maps it in place. */
			__u32 plo = (lo + PAGE - 1) / PAGE, phi = hi / PAGE;

			if (plo > phi || phi == 0)
				len = (__u32)rnd_range(lo, hi);
			else
				len = (__u32)rnd_range(plo ? plo : 1, phi) * PAGE;
		} else {
			len = (__u32)rnd_range(lo, hi);
		}
		/* Page-sized slots of the arena, so iovecs never overlap. */
		l->iov[i].iov_base = arena + i * (IOV_MAX_BYTES + 2 * PAGE) + off;
		l->iov[i].iov_len = len;
		left -= len;
	}
	return 0;
}

static void scatter(const struct layout *l, const unsigned char *src)
{
	for (int i = 0; i < l->niov; i++) {
		memcpy(l->iov[i].iov_base, src, l->iov[i].iov_len);
		src += l->iov[i].iov_len;
	}
}

static void gather(const struct layout *l, unsigned char *dst)
{
	for (int i = 0; i < l->niov; i++) {
		memcpy(dst, l->iov[i].iov_base, l->iov[i].iov_len);
		dst += l->iov[i].iov_len;
	}
}

static int bounced(const struct layout *l)
{
	for (int i = 0; i < l->niov; i++)
		if ((uintptr_t)l->iov[i].iov_base % PAGE ||
		    (i < l->niov - 1 && l->iov[i].iov_len % PAGE))
			return 1;
	return 0;
}

static void layout_str(const struct layout *l, char *s, size_t n)
{
	int k = snprintf(s, n, "%s", l->vec ? "vec" : "plain");

	for (int i = 0; i < l->niov && k > 0 && (size_t)k < n; i++)
		k += snprintf(s + k, n - k, " %#lx+%zu",
			      (unsigned long)((uintptr_t)l->iov[i].iov_base % PAGE),
			      l->iov[i].iov_len);
}

static void queue_layout(struct ring *r, int fd, struct slot *s, int write,
			 __u64 tag)
{
	const struct layout *l = write ? &s->wl : &s->rl;

	if (l->vec) {
		ring_queue(r, fd, 1, write ? OPC_WRITE : OPC_READ,
			   s->slba, s->bytes / lbs, l->iov, l->niov, tag);
		stat_vec++;
	} else {
		ring_queue(r, fd, 0, write ? OPC_WRITE : OPC_READ,
			   s->slba, s->bytes / lbs, l->iov[0].iov_base, s->bytes,
			   tag);
		stat_plain++;
	}
	stat_bounced += bounced(l);
	stat_bytes += s->bytes;
}

/* Start a new write on @s: new range, new generation, new layouts. */
static void slot_start(struct ring *r, int fd, struct slot *s, __u64 tag)
{
	__u32 cap = maxbytes > SLOT_BYTES ? SLOT_BYTES : (__u32)maxbytes;
	int wvec = !plain_only && rnd() % 4 != 0;
	int rvec = !plain_only && rnd() % 4 != 0;
	__u32 bytes;

	for (;;) {
		int k = (int)rnd_range(MIN_IOV, MAX_IOV);
		__u32 lo = (k * IOV_MIN_BYTES + lbs - 1) / lbs;
		__u32 hi = (__u32)k * IOV_MAX_BYTES;

		if (hi > cap)
			hi = cap;
		hi /= lbs;
		if (lo > hi)
			continue;
		bytes = (__u32)rnd_range(lo, hi) * lbs;
		if (make_layout(&s->wl, s->arena, bytes, wvec) == 0 &&
		    make_layout(&s->rl, s->arena + ARENA_BYTES / 2, bytes, rvec) == 0)
			break;
	}
	s->bytes = bytes;
	s->slba = s->base + rnd_range(0, SLOT_BYTES / lbs - bytes / lbs);
	s->gen++;
	pattern(s->expect, s->slba, bytes, s->gen);
	scatter(&s->wl, s->expect);
	/* Whatever the read does not fill shows up as 0xa5. */
	for (int i = 0; i < s->rl.niov; i++)
		memset(s->rl.iov[i].iov_base, 0xa5, s->rl.iov[i].iov_len);
	s->writing = 1;
	queue_layout(r, fd, s, 1, tag);
}

static int check_slot(struct slot *s)
{
	char wl[256], rl[256];
	__u32 i;

	gather(&s->rl, s->got);
	if (!memcmp(s->got, s->expect, s->bytes))
		return 0;
	for (i = 0; i < s->bytes && s->got[i] == s->expect[i]; i++)
		;
	layout_str(&s->wl, wl, sizeof(wl));
	layout_str(&s->rl, rl, sizeof(rl));
	fprintf(stderr, "uring-vec[%d]: DATA MISMATCH at LBA %llu + byte %u of %u:\n",
		ring_id, (unsigned long long)s->slba, i, s->bytes);
	fprintf(stderr, "  got %#x want %#x\n  write: %s\n  read:  %s\n",
		s->got[i], s->expect[i], wl, rl);
	return 1;
}

static int cmd_status(struct slot *s, __s32 res, const char *what)
{
	char l[256];

	if (res == 0)
		return 0;
	layout_str(s->writing ? &s->wl : &s->rl, l, sizeof(l));
	fprintf(stderr, "uring-vec[%d]: %s LBA %llu, %u bytes (%s) failed: res %d%s%s\n",
		ring_id, what, (unsigned long long)s->slba, s->bytes, l, res,
		res < 0 ? " " : " (NVMe status)", res < 0 ? strerror(-res) : "");
	return 1;
}

static int run_ring(int fd)
{
	struct ring r;
	struct slot *slots;
	unsigned long long issued = 0, done = 0, errors = 0;
	unsigned int i, inflight = 0, queued = 0;

	ring_setup(&r, depth * 2);
	slots = calloc(depth, sizeof(*slots));
	if (!slots)
		die("calloc");
	for (i = 0; i < depth; i++) {
		struct slot *s = &slots[i];

		s->base = ((__u64)ring_id * depth + i) * (SLOT_BYTES / lbs);
		if (s->base + SLOT_BYTES / lbs > nblocks) {
			fprintf(stderr, "uring-vec: namespace too small\n");
			exit(2);
		}
		s->arena = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		s->expect = malloc(SLOT_BYTES);
		s->got = malloc(SLOT_BYTES);
		if (s->arena == MAP_FAILED || !s->expect || !s->got)
			die("buffers");
	}
	for (i = 0; i < depth && issued < ncmds; i++, issued++, inflight++, queued++)
		slot_start(&r, fd, &slots[i], i);
	while (inflight) {
		__u64 tag, result;
		__s32 res;

		ring_enter(&r, queued, 1);
		queued = 0;
		while (ring_reap(&r, &tag, &res, &result)) {
			struct slot *s;

			if (tag >= depth) {
				fprintf(stderr, "uring-vec[%d]: bogus CQE user_data %llu\n",
					ring_id, (unsigned long long)tag);
				return 1;
			}
			s = &slots[tag];
			inflight--;
			done++;
			if (s->writing) {
				if (cmd_status(s, res, "write")) {
					errors++;
				} else if (issued < ncmds) {
					s->writing = 0;
					queue_layout(&r, fd, s, 0, tag);
					issued++, inflight++, queued++;
				}
				continue;
			}
			if (cmd_status(s, res, "read") || check_slot(s))
				errors++;
			if (errors >= 5)
				break;
			if (issued < ncmds) {
				slot_start(&r, fd, s, tag);
				issued++, inflight++, queued++;
			}
		}
		if (errors >= 5) {
			fprintf(stderr, "uring-vec[%d]: too many errors, stopping\n",
				ring_id);
			return 1;
		}
	}
	printf("ring %d (%s): %llu commands completed (%llu vectored, %llu plain,\n",
	       ring_id, polled ? "polled" : "irq", done, stat_vec, stat_plain);
	printf("  %llu with bounce-type layouts), %llu MiB, %llu errors\n",
	       stat_bounced, stat_bytes >> 20, errors);
	return errors ? 1 : 0;
}

/* One command, waited for; returns the CQE's res. */
static __s32 one_cmd(struct ring *r, int fd, int vec, __u8 opc, __u64 slba,
		     __u32 nlb, const void *addr, __u32 len)
{
	__u64 tag, result;
	__s32 res;

	ring_queue(r, fd, vec, opc, slba, nlb, addr, len, 77);
	ring_enter(r, 1, 1);
	while (!ring_reap(r, &tag, &res, &result))
		ring_enter(r, 0, 1);
	return res;
}

static int run_edges(int fd)
{
	struct iovec iov[300];
	unsigned char *buf;
	struct ring r;
	__s32 res;
	int bad = 0, i;
	__u64 lba = nblocks - 64;
	size_t n = 16 * lbs;

	ring_setup(&r, 4);
	buf = mmap(NULL, 2 * n + 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");

	/* Known data at lba, through a vectored write. */
	pattern(buf, lba, n, 999);
	iov[0].iov_base = buf;
	iov[0].iov_len = n / 2;
	iov[1].iov_base = buf + n / 2;
	iov[1].iov_len = n / 2;
	res = one_cmd(&r, fd, 1, OPC_WRITE, lba, n / lbs, iov, 2);
	if (res) {
		fprintf(stderr, "edge: 2-iovec write: res %d\n", res);
		bad++;
	}

	/* 300 iovecs: more than the queue's segments, refused. */
	for (i = 0; i < 300; i++) {
		iov[i].iov_base = buf + i;
		iov[i].iov_len = 1;
	}
	res = one_cmd(&r, fd, 1, OPC_READ, lba, 1, iov, 300);
	printf("edge: 300 iovecs: res %d\n", res);
	if (res != -EINVAL)
		bad++;

	/* An iovec total one block short: refused, buffer untouched. */
	memset(buf + 1, 0x5a, n);
	iov[0].iov_base = buf + 1;	/* odd: bounce buffer */
	iov[0].iov_len = n / 2;
	iov[1].iov_base = buf + 1 + n / 2;
	iov[1].iov_len = n / 2 - lbs;
	res = one_cmd(&r, fd, 1, OPC_READ, lba, n / lbs, iov, 2);
	printf("edge: iovec total one block short: res %d\n", res);
	if (res != -EINVAL)
		bad++;
	for (i = 0; i < (int)n; i++)
		if (buf[1 + i] != 0x5a) {
			fprintf(stderr, "edge: refused read changed byte %d of the buffer\n",
				i);
			bad++;
			break;
		}

	/* A bad iovec array pointer. */
	res = one_cmd(&r, fd, 1, OPC_READ, lba, 1, (void *)8, 2);
	printf("edge: bad iovec array pointer: res %d\n", res);
	if (res != -EFAULT)
		bad++;

	/* The data written at first reads back through one odd iovec. */
	memset(buf + n + 3, 0, n);
	iov[0].iov_base = buf + n + 3;
	iov[0].iov_len = n;
	res = one_cmd(&r, fd, 1, OPC_READ, lba, n / lbs, iov, 1);
	pattern(buf, lba, n, 999);
	if (res || memcmp(buf, buf + n + 3, n)) {
		fprintf(stderr, "edge: 1-iovec read back: res %d, data %s\n", res,
			memcmp(buf, buf + n + 3, n) ? "wrong" : "right");
		bad++;
	}
	printf("edge checks: %s\n", bad ? "FAILED" : "ok");
	close(r.fd);
	return bad ? 1 : 0;
}

static unsigned long long num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "uring-vec: bad number %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned int rings = 1, i;
	int c, fd, rc = 0, st;

	while ((c = getopt(argc, argv, "pPr:n:d:s:eb:z:m:N:")) != -1) {
		switch (c) {
		case 'p':
			polled = 1;
			break;
		case 'P':
			plain_only = 1;
			break;
		case 'r':
			rings = num(optarg);
			break;
		case 'n':
			ncmds = num(optarg);
			break;
		case 'd':
			depth = num(optarg);
			break;
		case 's':
			seed = num(optarg);
			break;
		case 'e':
			edge = 1;
			break;
		case 'b':
			lbs = num(optarg);
			break;
		case 'z':
			nblocks = num(optarg);
			break;
		case 'm':
			maxbytes = num(optarg);
			break;
		case 'N':
			nsid = num(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || !lbs || lbs % 512 || !nblocks || !maxbytes ||
	    !nsid || !depth || depth > MAX_DEPTH || !rings || rings > 8)
		goto usage;
	devpath = argv[optind];
	printf("uring-vec: %s, %u ring(s)%s, depth %u, %u commands each, lbs %u, seed %llu\n",
	       devpath, rings, polled ? " (IOPOLL)" : "", depth, ncmds, lbs,
	       (unsigned long long)seed);
	fflush(stdout);
	for (i = 0; i < rings; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			ring_id = i;
			rng_state = seed * 1000003 + i;
			fd = open(devpath, O_RDWR);
			if (fd < 0)
				die(devpath);
			rc = run_ring(fd);
			if (!rc && edge && i == 0)
				rc = run_edges(fd);
			fflush(stdout);
			_exit(rc);
		}
	}
	for (i = 0; i < rings; i++) {
		if (wait(&st) < 0)
			die("wait");
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	}
	printf("uring-vec: %s\n", rc ? "FAILED" : "all data verified");
	return rc;
usage:
	fputs("usage: uring-vec [-p] [-P] [-r RINGS] [-n CMDS] [-d DEPTH] [-s SEED] [-e]\n"
	      "                 -b LBA-BYTES -z BLOCKS -m MAX-BYTES -N NSID DEV\n", stderr);
	return 2;
}
