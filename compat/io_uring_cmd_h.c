// SPDX-License-Identifier: GPL-2.0
/* <linux/io_uring/cmd.h>, io_uring_cmd_to_pdu() and io_uring_cmd->sqe (6.6-6.11). */
#include <linux/io_uring/cmd.h>

struct lnvme_probe_pdu {
	u64 x;
};

const void *lnvme_probe(struct io_uring_cmd *ioucmd);
const void *lnvme_probe(struct io_uring_cmd *ioucmd)
{
	io_uring_cmd_to_pdu(ioucmd, struct lnvme_probe_pdu)->x = 0;
	return ioucmd->sqe;
}
