// SPDX-License-Identifier: GPL-2.0
/* Task-work callbacks of type io_req_tw_func_t (struct io_tw_req,
 * io_tw_token_t) and io_uring_cmd_done32() for big CQEs (6.19).
 */
#include <linux/io_uring/cmd.h>

static void lnvme_probe_cb(struct io_tw_req tw_req, io_tw_token_t tw)
{
	struct io_uring_cmd *ioucmd = io_uring_cmd_from_tw(tw_req);

	io_uring_cmd_done32(ioucmd, 0, 0, IO_URING_CMD_TASK_WORK_ISSUE_FLAGS);
}

void lnvme_probe(struct io_uring_cmd *ioucmd);
void lnvme_probe(struct io_uring_cmd *ioucmd)
{
	io_uring_cmd_do_in_task_lazy(ioucmd, lnvme_probe_cb);
}
