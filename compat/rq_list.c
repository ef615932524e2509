// SPDX-License-Identifier: GPL-2.0
/* struct rq_list (6.13): ->queue_rqs() and io_comp_batch use it. */
#include <linux/blk-mq.h>

void lnvme_probe(struct request *rq);
void lnvme_probe(struct request *rq)
{
	struct rq_list list = { };

	rq_list_add_tail(&list, rq);
}
