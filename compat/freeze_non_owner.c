// SPDX-License-Identifier: GPL-2.0
/* Freezes started and ended in different contexts (6.13). */
#include <linux/blk-mq.h>

void lnvme_probe(struct request_queue *q);
void lnvme_probe(struct request_queue *q)
{
	blk_freeze_queue_start_non_owner(q);
	blk_mq_unfreeze_queue_non_owner(q);
}
