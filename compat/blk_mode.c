// SPDX-License-Identifier: GPL-2.0
/* blk_mode_t and BLK_OPEN_* for block device opens and ioctls (6.5). */
#include <linux/blkdev.h>

bool lnvme_probe(blk_mode_t mode);
bool lnvme_probe(blk_mode_t mode)
{
	return mode & BLK_OPEN_READ;
}
