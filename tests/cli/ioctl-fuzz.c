// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-fuzz: malformed NVMe ioctls against lnvme's nodes.
 *
 *   ioctl-fuzz [-n CALLS] [-s SEED] [-D DEVICE_BUDGET] [-j PROCS] [-t SECS]
 *              -m MAX_TRANSFER_BYTES -b LBA_BYTES -z NS_BLOCKS NODE...
 *
 * NODE: a controller node (/dev/lnvme0) or a namespace node (/dev/lnvme0n1,
 * /dev/lng0n1) of namespace 1.  PROCS processes (default 2) share the calls.
 *
 * Most calls are malformed so that the driver must reject them before the
 * device sees them: random ioctl numbers, bad/NULL/kernel/non-canonical/
 * partially mapped pointers to the command or to the data, non-zero flags
 * or metadata, data_len above the transfer limit (up to 0xffffffff),
 * bidirectional opcodes, wrong nsids, bad SUBMIT_IO opcodes, buffers
 * shorter than what a read, write, compare, identify or get log page
 * transfers.  The outcome of those is checked (EINVAL, EFAULT, ENOTTY as
 * documented).  Up to DEVICE_BUDGET calls are well-formed commands that
 * reach the device, always with a buffer at least as large as what the
 * device may transfer: for the opcodes whose size the driver cannot know,
 * a short buffer would let the device follow PRP entries of 0 and DMA
 * into random memory, with any driver
 * (identify, get log page, get features, keep alive, reserved and vendor
 * admin opcodes; read, write, compare, flush, write zeroes, DSM, verify,
 * copy and unknown I/O opcodes with random LBAs, counts and fields).
 *
 * Destructive admin opcodes are never sent in a form that could reach the
 * device: they only appear with flags/metadata/oversized data_len/a bad
 * command pointer, which the driver rejects first:
 *   0x00 delete SQ, 0x01 create SQ, 0x04 delete CQ, 0x05 create CQ,
 *   0x08 abort, 0x09 set features, 0x0c async event request (never
 *   completes), 0x0d namespace management, 0x10 firmware commit,
 *   0x11 firmware download, 0x14 device self-test, 0x15 namespace
 *   attachment, 0x19 directive send, 0x1c virtualization management,
 *   0x1d NVMe-MI send, 0x20 capacity management, 0x24 lockdown,
 *   0x7c doorbell buffer config, 0x7f fabrics, 0x80 format NVM,
 *   0x81 security send, 0x84 sanitize.
 * Likewise the I/O opcodes 0x04 write uncorrectable and the reservation
 * commands 0x0d register, 0x11 acquire, 0x15 release.
 * Random ioctl numbers never use the types of the generic block ioctls
 * (0x12 BLK*, 'X' FIFREEZE/FITRIM, 'p' persistent reservations, 0x22 SG,
 * 0x03 HDIO) so that the block layer cannot act on them.
 *
 * Exit status 0 when every call returned and every checked outcome was as
 * expected; 1 otherwise (the first violations are printed); 2 on setup
 * errors; 3 when the calls did not finish within SECS (a hang).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define PAGE 4096UL
#define MAXNODES 8

struct node {
	const char *path;
	int fd;
	int is_ns;	/* 1: namespace node of nsid 1 */
};

static struct node nodes[MAXNODES];
static int nnodes;
static u32 max_xfer, lbs;
static u64 nsze;
static u64 rng;

static u8 *buf;		/* 4 MiB, page aligned, read-write */
static u8 *guard;		/* read-write, max transfer + a page, then... */
static u8 *guard_end;		/* ...one PROT_NONE page */
static u8 *rdonly;		/* one read-only page */

static unsigned long calls, device_calls, device_budget, violations;
static unsigned long errno_hist[256], nvme_status_calls, ok_calls;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u32 below(u32 n)
{
	return n ? rnd() % n : 0;
}

static int chance(int percent)
{
	return below(100) < (u32)percent;
}

static void violation(const struct node *n, const char *what, long ret, int err)
{
	violations++;
	if (violations <= 25)
		printf("VIOLATION [%s] %s: ret=%ld errno=%d (%s)\n", n->path, what,
		       ret, ret < 0 ? err : 0, ret < 0 ? strerrorname_np(err) : "-");
}

static const char *last_node;
static unsigned long last_cmd;
static void *last_arg;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char msg[240];
	int len = snprintf(msg, sizeof(msg),
			   "FAULT: signal %d at %p (rip 0x%llx) after ioctl(%s, 0x%lx, %p)\n",
			   sig, si->si_addr,
			   (unsigned long long)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP],
			   last_node, last_cmd, last_arg);

	void *bt[32];

	if (write(1, msg, len) < 0)
		_exit(4);
	backtrace_symbols_fd(bt, backtrace(bt, 32), 1);
	_exit(4);
}

/*
 * The command structs live in their own page, the rest of which is a
 * canary: the kernel must write nothing but the result field.
 */
static u8 *cmdpage;
static u8 *saved_buf;
static struct nvme_passthru_cmd64 last_c;

#define C64_OFF 256
#define C32_OFF 2048

static void check_canary(void)
{
	for (size_t i = 0; i < PAGE; i++) {
		if ((i >= C64_OFF && i < C64_OFF + sizeof(struct nvme_passthru_cmd64)) ||
		    (i >= C32_OFF && i < C32_OFF + sizeof(struct nvme_passthru_cmd)))
			continue;
		if (cmdpage[i] != 0x5a) {
			printf("CORRUPTION: cmd page byte %zu = 0x%02x after ioctl(%s, 0x%lx, %p) ",
			       i, cmdpage[i], last_node, last_cmd, last_arg);
			printf("op 0x%02x nsid 0x%x len %u addr 0x%llx cdw10 0x%x cdw12 0x%x\n",
			       last_c.opcode, last_c.nsid, last_c.data_len,
			       (unsigned long long)last_c.addr, last_c.cdw10, last_c.cdw12);
			fflush(stdout);
			_exit(5);
		}
	}
	if (buf != saved_buf) {
		printf("CORRUPTION: a global changed after ioctl(%s, 0x%lx, %p)\n",
		       last_node, last_cmd, last_arg);
		fflush(stdout);
		_exit(5);
	}
}

static long do_ioctl(struct node *n, unsigned long cmd, void *arg, int *err)
{
	long ret;

	last_node = n->path;
	last_cmd = cmd;
	last_arg = arg;
	ret = ioctl(n->fd, cmd, arg);
	check_canary();

	*err = ret < 0 ? errno : 0;
	calls++;
	if (ret < 0)
		errno_hist[*err & 255]++;
	else if (ret > 0)
		nvme_status_calls++;
	else
		ok_calls++;
	return ret;
}

/* Pointers that must fault (never a mapped user address). */
static void *bad_ptr(size_t want)
{
	switch (below(7)) {
	case 0:
		return NULL;
	case 1:
		return (void *)0x1000UL;			/* unmapped low page */
	case 2:
		return (void *)0xffffffff81000000UL;		/* kernel text */
	case 3:
		return (void *)0xffff888000000000UL;		/* direct map */
	case 4:
		return (void *)0x8000000000000000UL;		/* non-canonical */
	case 5:
		return guard_end;				/* PROT_NONE */
	default:	/* straddles into PROT_NONE: < want bytes mapped, all in guard */
		return guard_end - (want > 1 ? 1 + below(want - 1) : 1);
	}
}

static int excluded_admin(u8 op)
{
	static const u8 ex[] = { 0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x0c,
		0x0d, 0x10, 0x11, 0x14, 0x15, 0x19, 0x1c, 0x1d, 0x20, 0x24, 0x7c,
		0x7f, 0x80, 0x81, 0x84 };
	for (size_t i = 0; i < sizeof(ex); i++)
		if (ex[i] == op)
			return 1;
	return 0;
}

/* Only ever sent in a form the driver must refuse. */
static const u8 destructive[] = { 0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x0c, 0x0d,
	0x10, 0x11, 0x15, 0x7c, 0x80, 0x84 };

static int excluded_io(u8 op)
{
	return op == 0x04 || op == 0x0d || op == 0x11 || op == 0x15;
}

/*
 * Opcodes whose transfer size comes from command dwords: sent with random
 * dwords, the device would transfer more than data_len and follow PRP2 (0)
 * as a PRP list: DMA to random guest memory, with either driver.  They
 * are only sent by the cases that keep the sizes consistent.
 */
static int sized_admin(u8 op)
{
	return op == 0x02 || op == 0x06 || op == 0x0a || op == 0x1a || op == 0x82 ||
	       op == 0x86;
}

static int sized_io(u8 op)
{
	return op == 0x01 || op == 0x02 || op == 0x05 || op == 0x0e || op == 0x12 ||
	       op == 0x19 || op == 0x79 || op == 0x7a || op == 0x7d;
}

/*
 * A random opcode the device may run as it is: not destructive, not
 * sized by command dwords, not bidirectional.
 */
static u8 random_opcode(int admin)
{
	u8 op;

	do
		op = rnd();
	while ((admin ? excluded_admin(op) || sized_admin(op) :
			excluded_io(op) || sized_io(op)) || (op & 3) == 3);
	return op;
}

/* Fill c with random garbage in every field. */
static void random_cmd(struct nvme_passthru_cmd64 *c)
{
	u32 *w = (u32 *)c;

	for (size_t i = 0; i < sizeof(*c) / 4; i++)
		w[i] = rnd();
}

static u32 random_len(void)
{
	switch (below(6)) {
	case 0:
		return 0;
	case 1:
		return 1 + below(4096);
	case 2:
		return max_xfer;
	case 3:
		return max_xfer + 1 + below(1 << 20);
	case 4:
		return 0xffffffffU;
	default:
		return rnd();
	}
}

static u32 random_nsid(void)
{
	static const u32 v[] = { 0, 1, 2, 3, 0xfffffffe, 0xffffffff };

	return chance(80) ? v[below(6)] : (u32)rnd();
}

/*
 * A well-formed command the device may run.  Returns 1 for an admin
 * command, 0 for an I/O command (nsid 1).
 */
static int safe_cmd(struct nvme_passthru_cmd64 *c, int want_io)
{
	memset(c, 0, sizeof(*c));
	c->addr = (uintptr_t)buf;
	if (chance(10))
		c->timeout_ms = chance(50) ? 60000 : 5000;
	if (!want_io) {
		switch (below(6)) {
		case 0:		/* identify, any CNS */
			c->opcode = 0x06;
			c->nsid = random_nsid();
			c->cdw10 = chance(70) ? below(4) : (rnd() & 0xffff00ff);
			c->cdw11 = chance(80) ? 0 : rnd();
			c->data_len = chance(90) ? 4096 : 4096 + below(4096);
			break;
		case 1: {	/* get log page; NUMD matches data_len */
			u32 dw = 1 + below(1024);

			c->opcode = 0x02;
			c->nsid = chance(50) ? 0xffffffff : random_nsid();
			c->data_len = dw * 4;
			c->cdw10 = (chance(70) ? 1 + below(6) : below(256)) |
				   (((dw - 1) & 0xffff) << 16) | (below(2) << 15);
			c->cdw11 = (dw - 1) >> 16;
			c->cdw12 = chance(80) ? 0 : below(8192);
			break;
		}
		case 2:		/* get features, any FID, any select */
			c->opcode = 0x0a;
			c->nsid = random_nsid();
			c->cdw10 = (chance(80) ? below(0x20) : below(256)) | (below(4) << 8);
			c->cdw11 = chance(80) ? 0 : rnd();
			c->data_len = 4096;	/* the most any feature returns */
			break;
		case 3:		/* keep alive */
			c->opcode = 0x18;
			break;
		default:	/* reserved / vendor / other admin opcodes */
			c->opcode = random_opcode(1);
			c->nsid = random_nsid();
			c->cdw10 = rnd();
			c->cdw11 = rnd();
			c->cdw12 = rnd();
			c->data_len = 4096;
			break;
		}
		return 1;
	}

	c->nsid = 1;
	switch (below(10)) {
	case 0:
	case 1:
	case 2:
	case 3: {	/* read / write / compare */
		static const u8 ops[] = { 0x02, 0x02, 0x01, 0x05 };
		u32 maxb = max_xfer / lbs, nlb = 1 + below(chance(70) ? 16 : maxb);
		u64 slba = below(nsze - nlb + 1);

		if (chance(5))	/* beyond the end: the device refuses */
			slba = nsze - below(nlb) + (chance(50) ? 0 : rnd() >> 20);
		c->opcode = ops[below(4)];
		c->cdw10 = slba;
		c->cdw11 = slba >> 32;
		c->cdw12 = (nlb - 1) | (chance(10) ? (1U << 30) : 0);	/* FUA */
		c->data_len = nlb * lbs;
		break;
	}
	case 4:		/* flush */
		c->opcode = 0x00;
		c->nsid = chance(80) ? 1 : random_nsid();
		break;
	case 5:		/* write zeroes */
		c->opcode = 0x08;
		c->cdw10 = below(nsze + 64);
		c->cdw12 = below(1024) | (chance(20) ? (1U << 25) : 0);	/* DEAC */
		break;
	case 6: {	/* dataset management: random ranges */
		u32 nr = below(chance(80) ? 8 : 256);

		for (u32 i = 0; i <= nr; i++) {
			u32 *r = (u32 *)(buf + 16 * i);
			u64 slba = below(nsze + 64);

			r[0] = rnd();
			r[1] = below(2048);
			r[2] = slba;
			r[3] = slba >> 32;
		}
		c->opcode = 0x09;
		c->cdw10 = nr;
		c->cdw11 = chance(80) ? 4 : rnd();	/* AD */
		c->data_len = 4096;
		break;
	}
	case 7:		/* verify */
		c->opcode = 0x0c;
		c->cdw10 = below(nsze + 64);
		c->cdw12 = below(128);
		break;
	case 8: {	/* copy, source range format 0 */
		u32 nr = below(8);

		memset(buf, 0, 4096);
		for (u32 i = 0; i <= nr; i++) {
			u8 *r = buf + 32 * i;
			u64 slba = below(nsze + 16);
			u16 nlb = below(chance(80) ? 16 : 300);

			memcpy(r + 8, &slba, 8);
			memcpy(r + 16, &nlb, 2);
		}
		c->opcode = 0x19;
		c->cdw10 = below(nsze);
		c->cdw12 = nr;
		c->data_len = 4096;
		break;
	}
	default:	/* other I/O opcodes */
		c->opcode = random_opcode(0);
		c->cdw10 = rnd();
		c->cdw11 = rnd();
		c->cdw12 = rnd() & 0xffff00ff;
		c->cdw13 = rnd();
		c->data_len = 4096;
		break;
	}
	return 0;
}

static void fill_cmd32(struct nvme_passthru_cmd *c32, const struct nvme_passthru_cmd64 *c)
{
	memcpy(c32, c, offsetof(struct nvme_passthru_cmd64, data_len));
	c32->data_len = c->data_len;
	c32->cdw10 = c->cdw10;
	c32->cdw11 = c->cdw11;
	c32->cdw12 = c->cdw12;
	c32->cdw13 = c->cdw13;
	c32->cdw14 = c->cdw14;
	c32->cdw15 = c->cdw15;
	c32->timeout_ms = c->timeout_ms;
	c32->result = 0;
}

/* Issue c as ADMIN/IO (32 or 64 bit) through the struct at where. */
static long passthru(struct node *n, int admin, struct nvme_passthru_cmd64 *c, int *err,
		     void *where)
{
	int is64 = chance(50);
	unsigned long cmd = admin ? (is64 ? NVME_IOCTL_ADMIN64_CMD : NVME_IOCTL_ADMIN_CMD) :
				    (is64 ? NVME_IOCTL_IO64_CMD : NVME_IOCTL_IO_CMD);
	struct nvme_passthru_cmd64 *c64 = (void *)(cmdpage + C64_OFF);
	struct nvme_passthru_cmd *c32 = (void *)(cmdpage + C32_OFF);
	long ret;

	last_c = *c;
	if (where)
		return do_ioctl(n, cmd, where, err);
	if (is64) {
		*c64 = *c;
		ret = do_ioctl(n, cmd, c64, err);
		c->result = c64->result;
		return ret;
	}
	fill_cmd32(c32, c);
	return do_ioctl(n, cmd, c32, err);
}

static void expect(struct node *n, const char *what, long ret, int err, int want)
{
	if (want == 0 ? ret < 0 : (ret != -1 || err != want))
		violation(n, what, ret, err);
}

static int forbidden_type(unsigned int type)
{
	return type == 0x12 || type == 'X' || type == 'p' || type == 0x22 || type == 0x03 ||
	       type == 'T' || type == 'f';
}

static void one_call(struct node *n)
{
	struct nvme_passthru_cmd64 c;
	long ret;
	int err, admin, k = below(100);
	char what[160];

	if (k < 15) {				/* random ioctl number */
		unsigned long cmd;
		void *arg = chance(70) ? (void *)(buf + below(PAGE)) : bad_ptr(64);

		if (chance(50)) {
			unsigned int nr;

			do
				nr = below(256);
			while (nr >= 0x40 && nr <= 0x48);
			cmd = _IOC(below(4), 'N', nr, below(1 << 14));
			ret = do_ioctl(n, cmd, arg, &err);
			snprintf(what, sizeof(what), "unknown ioctl 0x%lx", cmd);
			expect(n, what, ret, err, ENOTTY);
		} else {
			do
				cmd = (u32)rnd();
			while (forbidden_type(_IOC_TYPE(cmd)) ||
			       (_IOC_TYPE(cmd) == 'N' && _IOC_NR(cmd) >= 0x40 &&
				_IOC_NR(cmd) <= 0x49));
			do_ioctl(n, cmd, arg, &err);
		}
		return;
	}
	if (k < 20) {				/* known 'N' numbers with a wrong size */
		static const unsigned int nrs[] = { 0x41, 0x42, 0x43, 0x47, 0x48 };
		unsigned int sz;

		do
			sz = below(1 << 14);
		while (sz == 72 || sz == 80 || sz == 48);
		ret = do_ioctl(n, _IOC(_IOC_READ | _IOC_WRITE, 'N', nrs[below(5)], sz), buf, &err);
		expect(n, "known nr with a wrong size", ret, err, ENOTTY);
		return;
	}
	if (k < 32) {				/* command struct pointer faults */
		unsigned int which = below(5);
		static const unsigned long cmds[] = { NVME_IOCTL_ADMIN_CMD, NVME_IOCTL_ADMIN64_CMD,
			NVME_IOCTL_IO_CMD, NVME_IOCTL_IO64_CMD, NVME_IOCTL_SUBMIT_IO };

		ret = do_ioctl(n, cmds[which], bad_ptr(_IOC_SIZE(cmds[which])), &err);
		snprintf(what, sizeof(what), "ioctl 0x%lx with a faulting argument", cmds[which]);
		expect(n, what, ret, err, which == 4 && !n->is_ns ? ENOTTY : EFAULT);
		return;
	}
	if (k < 45) {				/* SUBMIT_IO */
		struct nvme_user_io io;
		int want;

		memset(&io, 0, sizeof(io));
		io.opcode = chance(50) ? below(256) : 0x02;
		io.nblocks = below(8);
		io.slba = below(nsze);
		io.addr = (uintptr_t)buf;
		if (chance(30))
			io.flags = 1 + below(255);
		else if (chance(40))
			io.metadata = chance(50) ? (uintptr_t)buf : rnd();
		else if (io.opcode == 0x02 || io.opcode == 0x01 || io.opcode == 0x05)
			io.addr = (uintptr_t)bad_ptr((io.nblocks + 1) * lbs);
		want = n->is_ns ? (io.flags || io.metadata || (io.opcode != 1 && io.opcode != 2 &&
				io.opcode != 5) ? EINVAL : EFAULT) : ENOTTY;
		ret = do_ioctl(n, NVME_IOCTL_SUBMIT_IO, &io, &err);
		snprintf(what, sizeof(what), "SUBMIT_IO op 0x%x flags 0x%x md 0x%llx addr 0x%llx",
			 io.opcode, io.flags, (unsigned long long)io.metadata,
			 (unsigned long long)io.addr);
		/*
		 * A read into a buffer that must be bounced reaches the device
		 * first; if the device fails it (LBA out of range), nothing is
		 * copied back and its status is the answer.
		 */
		if (want == EFAULT && ret > 0)
			return;
		expect(n, what, ret, err, want);
		return;
	}
	if (k < 50) {				/* NVME_IOCTL_ID, SUBSYS_RESET, IO64_CMD_VEC */
		switch (below(3)) {
		case 0:
			ret = do_ioctl(n, NVME_IOCTL_ID, NULL, &err);
			if (n->is_ns ? ret != 1 : (ret != -1 || err != ENOTTY))
				violation(n, "NVME_IOCTL_ID", ret, err);
			break;
		case 1:
			ret = do_ioctl(n, NVME_IOCTL_SUBSYS_RESET, NULL, &err);
			expect(n, "NVME_IOCTL_SUBSYS_RESET", ret, err, ENOTTY);
			break;
		default:
			random_cmd(&c);
			c.flags = 1 | c.flags;
			ret = do_ioctl(n, NVME_IOCTL_IO64_CMD_VEC, &c, &err);
			if (ret >= 0)
				violation(n, "NVME_IOCTL_IO64_CMD_VEC with garbage", ret, err);
			break;
		}
		return;
	}

	admin = !n->is_ns || chance(30) ? chance(60) : 0;
	if (k < 85 || device_calls >= device_budget) {
		/* Malformed passthrough: the driver must refuse it. */
		int want = EINVAL;

		random_cmd(&c);
		c.result = 0;
		if (chance(50))
			c.opcode = destructive[below(sizeof(destructive))];
		switch (below(7)) {
		case 0:			/* flags */
			c.flags = 1 + below(255);
			break;
		case 1:			/* metadata buffer */
			c.flags = 0;
			c.metadata = chance(50) ? (uintptr_t)buf : rnd();
			c.metadata_len = chance(50) ? 0 : rnd();
			if (!c.metadata_len && !c.metadata)
				c.metadata_len = 8;
			break;
		case 2:			/* data_len above the limit */
			c.flags = 0;
			c.metadata = 0;
			c.metadata_len = 0;
			c.data_len = max_xfer + 1 + (chance(30) ? 0xffffffffU - max_xfer - 1 :
							     below(1 << 24));
			c.addr = chance(50) ? (uintptr_t)buf : (uintptr_t)bad_ptr(64);
			break;
		case 3:			/* bidirectional opcode with data */
			c.flags = 0;
			c.metadata = 0;
			c.metadata_len = 0;
			c.opcode |= 3;
			c.data_len = 1 + random_len() % max_xfer;
			break;
		case 4:			/* I/O command for a namespace that is not there */
			if (admin) {
				c.flags = 2;
				break;
			}
			c.flags = 0;
			c.metadata = 0;
			c.metadata_len = 0;
			c.data_len = below(max_xfer + 1);
			do
				c.nsid = random_nsid();
			while (c.nsid == 1);
			break;
		case 5:			/* buffer shorter than the command's transfer */
			c.flags = 0;
			c.metadata = 0;
			c.metadata_len = 0;
			c.addr = (uintptr_t)buf;
			if (admin && chance(50)) {
				c.opcode = 0x06;	/* identify: always 4096 bytes */
				c.data_len = below(4096);
			} else if (admin) {
				u32 dw = 1 + below(1024);

				c.opcode = 0x02;	/* get log page: NUMD dwords */
				c.cdw10 = (c.cdw10 & 0xffff) | ((dw - 1) << 16);
				c.cdw11 &= 0xffff0000;
				c.data_len = below(dw * 4);
			} else {
				static const u8 ops[] = { 0x01, 0x02, 0x05 };
				u32 nlb = 1 + below(64);

				c.opcode = ops[below(3)];
				c.nsid = 1;
				c.cdw12 = (c.cdw12 & 0xffff0000) | (nlb - 1);
				c.data_len = below(nlb * lbs);
			}
			break;
		default:		/* faulting data pointer, safe command */
			safe_cmd(&c, !admin);
			if (!c.data_len)
				c.data_len = 4096;
			if (!admin && n->is_ns)
				c.nsid = 1;
			c.addr = (uintptr_t)bad_ptr(c.data_len);
			want = EFAULT;
			break;
		}
		ret = passthru(n, admin, &c, &err, NULL);
		snprintf(what, sizeof(what),
			 "%s op 0x%02x nsid 0x%x flags 0x%x md 0x%llx/%u len %u addr 0x%llx",
			 admin ? "admin" : "io", c.opcode, c.nsid, c.flags,
			 (unsigned long long)c.metadata, c.metadata_len, c.data_len,
			 (unsigned long long)c.addr);
		if (want == EFAULT && ret > 0)
			return;		/* the device ran it before the copy-back faulted */
		if (want == EFAULT && !admin && c.nsid != 1 && ret == -1 && err == EINVAL)
			return;		/* no such namespace on this node: refused first */
		expect(n, what, ret, err, want);
		return;
	}

	/* Well-formed: reaches the device. */
	admin = safe_cmd(&c, !admin);
	device_calls++;
	if (!admin && chance(10) && c.data_len)	/* misaligned user buffer */
		c.addr = (uintptr_t)buf + 1 + below(511);
	if (!admin && chance(5) && (c.opcode & 3) == 2 && c.data_len <= PAGE)
		c.addr = (uintptr_t)rdonly;	/* device writes into a read-only page */
	ret = passthru(n, admin, &c, &err, NULL);
	if (ret < 0) {
		int bad = !(c.addr == (uintptr_t)rdonly && err == EFAULT);

		/* An I/O command for another namespace than the node's */
		if (!admin && c.nsid != 1 && err == EINVAL)
			bad = 0;
		if (bad) {
			snprintf(what, sizeof(what), "well-formed %s op 0x%02x nsid 0x%x len %u",
				 admin ? "admin" : "io", c.opcode, c.nsid, c.data_len);
			violation(n, what, ret, err);
		}
	}
}

static int run(unsigned long ncalls, unsigned long seed)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGIO, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (unsigned long i = 0; i < ncalls; i++)
		one_call(&nodes[below(nnodes)]);

	printf("proc seed %lu: %lu calls, %lu well-formed device commands, ",
	       seed, calls, device_calls);
	printf("%lu ok, %lu NVMe status, errno:", ok_calls, nvme_status_calls);
	for (int e = 0; e < 256; e++)
		if (errno_hist[e])
			printf(" %s=%lu", strerrorname_np(e) ?: "?", errno_hist[e]);
	printf("; %lu violations\n", violations);
	fflush(stdout);
	return violations ? 1 : 0;
}

static void print_usage(void)
{
	fputs("usage: ioctl-fuzz [-n CALLS] [-s SEED] [-D BUDGET] [-j PROCS] [-t SECS]\n"
	      "       -m MAXBYTES -b LBS -z BLOCKS NODE...\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long ncalls = 100000, seed = time(NULL), budget = 3000;
	int procs = 2, secs = 240, opt, status, rc = 0, left;
	size_t guard_len;
	pid_t pids[16];

	while ((opt = getopt(argc, argv, "n:s:D:j:t:m:b:z:")) != -1) {
		switch (opt) {
		case 'n':
			ncalls = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'D':
			budget = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			procs = atoi(optarg);
			break;
		case 't':
			secs = atoi(optarg);
			break;
		case 'm':
			max_xfer = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			lbs = strtoul(optarg, NULL, 0);
			break;
		case 'z':
			nsze = strtoull(optarg, NULL, 0);
			break;
		default:
			print_usage();
		}
	}
	if (optind >= argc || !max_xfer || !lbs || nsze < 1024 || procs < 1 || procs > 16)
		print_usage();
	for (int i = optind; i < argc && nnodes < MAXNODES; i++) {
		struct node *n = &nodes[nnodes++];

		n->path = argv[i];
		n->fd = open(argv[i], O_RDWR);
		if (n->fd < 0) {
			fprintf(stderr, "ioctl-fuzz: open %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		n->is_ns = ioctl(n->fd, NVME_IOCTL_ID) == 1;
		printf("node %s: %s\n", n->path, n->is_ns ? "namespace 1" : "controller");
	}
	buf = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/*
	 * A pointer that straddles into the PROT_NONE page must start in
	 * memory nothing else uses: a read copied back to it writes up to the
	 * fault, as read(2) would.
	 */
	guard_len = (max_xfer + 2 * PAGE - 1) / PAGE * PAGE;
	guard = mmap(NULL, guard_len + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	guard_end = guard + guard_len;
	rdonly = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cmdpage = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || guard == MAP_FAILED || rdonly == MAP_FAILED ||
	    cmdpage == MAP_FAILED || mprotect(guard_end, PAGE, PROT_NONE))
		return 2;
	memset(cmdpage, 0x5a, PAGE);
	saved_buf = buf;
	for (size_t i = 0; i < (4 << 20); i++)
		buf[i] = i * 7 + (i >> 12);
	printf("seed %lu, %lu calls in %d processes, device budget %lu, limit %d s, ",
	       seed, ncalls, procs, budget, secs);
	printf("max transfer %u, lbs %u, %llu blocks\n", max_xfer, lbs, (unsigned long long)nsze);
	fflush(stdout);

	device_budget = budget / procs;
	for (int p = 0; p < procs; p++) {
		pids[p] = fork();
		if (pids[p] < 0)
			return 2;
		if (pids[p] == 0)
			_exit(run(ncalls / procs, seed + p));
	}
	left = procs;
	for (int t = 0; left && t < secs * 10; t++) {
		for (int p = 0; p < procs; p++) {
			if (pids[p] > 0 && waitpid(pids[p], &status, WNOHANG) == pids[p]) {
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					printf("process %d (seed %lu) failed: status 0x%x\n", p,
					       seed + p, status);
					rc = 1;
				}
				pids[p] = 0;
				left--;
			}
		}
		if (left)
			usleep(100000);
	}
	if (left) {
		printf("HANG: %d fuzz processes still running after %d s\n", left, secs);
		for (int p = 0; p < procs; p++)
			if (pids[p] > 0)
				kill(pids[p], SIGKILL);
		return 3;
	}
	return rc;
}
