// SPDX-License-Identifier: GPL-2.0
/* blk_rq_poll(): poll the queue a passthrough request went to (6.3). */
#include <linux/blk-mq.h>

int lnvme_probe(struct request *rq, struct io_comp_batch *iob);
int lnvme_probe(struct request *rq, struct io_comp_batch *iob)
{
	return blk_rq_poll(rq, iob, 0);
}
