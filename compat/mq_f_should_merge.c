// SPDX-License-Identifier: GPL-2.0
/* BLK_MQ_F_SHOULD_MERGE: a tag set's queues merge bios only when asked
 * (until 6.14, where they merge by default and the flag is gone).
 */
#include <linux/blk-mq.h>

unsigned int lnvme_probe(void);
unsigned int lnvme_probe(void)
{
	return BLK_MQ_F_SHOULD_MERGE;
}
