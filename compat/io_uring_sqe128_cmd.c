// SPDX-License-Identifier: GPL-2.0
/* io_uring_sqe128_cmd(sqe, type): the command of a 128-byte SQE (6.19). */
#include <linux/io_uring/cmd.h>
#include <linux/nvme_ioctl.h>

const struct nvme_uring_cmd *lnvme_probe(struct io_uring_cmd *ioucmd);
const struct nvme_uring_cmd *lnvme_probe(struct io_uring_cmd *ioucmd)
{
	return io_uring_sqe128_cmd(ioucmd->sqe, struct nvme_uring_cmd);
}
