// SPDX-License-Identifier: GPL-2.0
/* blk_mq_quiesce_tagset() (6.2). */
#include <linux/blk-mq.h>

void lnvme_probe(struct blk_mq_tag_set *set);
void lnvme_probe(struct blk_mq_tag_set *set)
{
	blk_mq_quiesce_tagset(set);
	blk_mq_unquiesce_tagset(set);
}
