// SPDX-License-Identifier: GPL-2.0
/* blk_rq_map_kern(rq, buf, len, gfp) without the queue (6.16). */
#include <linux/blk-mq.h>

int lnvme_probe(struct request *rq, void *buf);
int lnvme_probe(struct request *rq, void *buf)
{
	return blk_rq_map_kern(rq, buf, 512, GFP_KERNEL);
}
