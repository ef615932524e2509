// SPDX-License-Identifier: GPL-2.0
/* queue_limits.features and BLK_FEAT_* (6.11), queue_limits_start_update()
 * and blk_mq_alloc_disk()/blk_mq_alloc_queue() taking limits (6.9).
 */
#include <linux/blk-mq.h>

struct gendisk *lnvme_probe(struct blk_mq_tag_set *set);
struct gendisk *lnvme_probe(struct blk_mq_tag_set *set)
{
	struct queue_limits lim = { .features = BLK_FEAT_WRITE_CACHE };
	struct gendisk *disk = blk_mq_alloc_disk(set, &lim, NULL);

	lim = queue_limits_start_update(disk->queue);
	queue_limits_commit_update(disk->queue, &lim);
	blk_mq_alloc_queue(set, &lim, NULL);
	return disk;
}
