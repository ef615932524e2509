// SPDX-License-Identifier: GPL-2.0
/* blk_rq_map_sg(rq, sgl) without the queue (6.15). */
#include <linux/blk-mq.h>

int lnvme_probe(struct request *rq, struct scatterlist *sgl);
int lnvme_probe(struct request *rq, struct scatterlist *sgl)
{
	return blk_rq_map_sg(rq, sgl);
}
