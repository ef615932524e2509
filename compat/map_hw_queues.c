// SPDX-License-Identifier: GPL-2.0
/* blk_mq_map_hw_queues() (6.14), which replaced blk_mq_pci_map_queues(). */
#include <linux/blk-mq.h>

void lnvme_probe(struct blk_mq_queue_map *map, struct device *dev);
void lnvme_probe(struct blk_mq_queue_map *map, struct device *dev)
{
	blk_mq_map_hw_queues(map, dev, 1);
}
