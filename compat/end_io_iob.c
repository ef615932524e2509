// SPDX-License-Identifier: GPL-2.0
/* rq end_io callbacks get the completion batch. */
#include <linux/blk-mq.h>

static enum rq_end_io_ret lnvme_probe_end_io(struct request *rq,
					     blk_status_t err,
					     const struct io_comp_batch *iob)
{
	return RQ_END_IO_NONE;
}

void lnvme_probe(struct request *rq);
void lnvme_probe(struct request *rq)
{
	rq->end_io = lnvme_probe_end_io;
}
