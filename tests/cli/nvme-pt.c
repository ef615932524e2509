// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-pt: issue one NVMe ioctl and print what the kernel said.
 *
 *   nvme-pt DEV ro|rw KIND [OPCODE NSID CDW10 CDW12 LEN [FILE]]
 *
 * KIND: admin | admin64 | io | io64 | submit | id | reset | rescan |
 *       subsys-reset.  DEV is opened O_RDONLY (ro) or O_RDWR (rw).  For a
 * command with data, LEN bytes are read from FILE (host to device opcodes,
 * opcode bit 0 set) or written to FILE (device to host).  "submit" is
 * NVME_IOCTL_SUBMIT_IO with slba = CDW10 and nblocks = CDW12.
 * Prints "ret=R errno=E(NAME) result=X"; exit status 0 when ret == 0,
 * 1 when the ioctl failed or returned an NVMe status, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static unsigned long long num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "nvme-pt: bad number %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *kind, *file = NULL;
	unsigned int opc = 0, nsid = 0, cdw10 = 0, cdw12 = 0, len = 0;
	unsigned long long result = 0;
	void *buf = NULL;
	int fd, ret, err = 0, tohost;

	if (argc < 4) {
		fputs("usage: nvme-pt DEV ro|rw KIND [OPCODE NSID CDW10 CDW12 LEN [FILE]]\n",
		      stderr);
		return 2;
	}
	kind = argv[3];
	if (argc >= 9) {
		opc = num(argv[4]);
		nsid = num(argv[5]);
		cdw10 = num(argv[6]);
		cdw12 = num(argv[7]);
		len = num(argv[8]);
		if (argc >= 10)
			file = argv[9];
	}
	tohost = !(opc & 1);
	if (len) {
		if (posix_memalign(&buf, 4096, len))
			return 2;
		memset(buf, 0xa5, len);
		if (!tohost) {
			int in = file ? open(file, O_RDONLY) : -1;

			if (in < 0 || read(in, buf, len) != (ssize_t)len) {
				fprintf(stderr, "nvme-pt: cannot read %u bytes from %s\n", len,
					file ? file : "(no file)");
				return 2;
			}
			close(in);
		}
	}
	fd = open(argv[1], strcmp(argv[2], "rw") ? O_RDONLY : O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "nvme-pt: open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}

	if (!strcmp(kind, "admin") || !strcmp(kind, "io")) {
		struct nvme_passthru_cmd c = {
			.opcode = opc, .nsid = nsid, .cdw10 = cdw10, .cdw12 = cdw12,
			.addr = (unsigned long)buf, .data_len = len,
		};
		ret = ioctl(fd, kind[0] == 'a' ? NVME_IOCTL_ADMIN_CMD : NVME_IOCTL_IO_CMD, &c);
		result = c.result;
	} else if (!strcmp(kind, "admin64") || !strcmp(kind, "io64")) {
		struct nvme_passthru_cmd64 c = {
			.opcode = opc, .nsid = nsid, .cdw10 = cdw10, .cdw12 = cdw12,
			.addr = (unsigned long)buf, .data_len = len,
		};
		ret = ioctl(fd, kind[0] == 'a' ? NVME_IOCTL_ADMIN64_CMD : NVME_IOCTL_IO64_CMD, &c);
		result = c.result;
	} else if (!strcmp(kind, "submit")) {
		struct nvme_user_io io = {
			.opcode = opc, .slba = cdw10, .nblocks = cdw12,
			.addr = (unsigned long)buf,
		};
		ret = ioctl(fd, NVME_IOCTL_SUBMIT_IO, &io);
	} else if (!strcmp(kind, "id")) {
		ret = ioctl(fd, NVME_IOCTL_ID);
	} else if (!strcmp(kind, "reset")) {
		ret = ioctl(fd, NVME_IOCTL_RESET);
	} else if (!strcmp(kind, "rescan")) {
		ret = ioctl(fd, NVME_IOCTL_RESCAN);
	} else if (!strcmp(kind, "subsys-reset")) {
		ret = ioctl(fd, NVME_IOCTL_SUBSYS_RESET);
	} else {
		fprintf(stderr, "nvme-pt: unknown kind %s\n", kind);
		return 2;
	}
	if (ret < 0)
		err = errno;
	printf("ret=%d errno=%d(%s) result=%llu\n", ret, err,
	       err ? strerrorname_np(err) : "0", result);
	if (ret == 0 && len && tohost && file) {
		int out = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (out < 0 || write(out, buf, len) != (ssize_t)len) {
			fprintf(stderr, "nvme-pt: cannot write %s\n", file);
			return 2;
		}
		close(out);
	}
	return ret == 0 ? 0 : 1;
}
