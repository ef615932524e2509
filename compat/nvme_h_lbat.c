// SPDX-License-Identifier: GPL-2.0
/* <linux/nvme.h> naming of 6.5+: rw.lbat/lbatm (were apptag/appmask),
 * NVME_WZ_DEAC.
 */
#include <linux/nvme.h>

int lnvme_probe(struct nvme_command *c);
int lnvme_probe(struct nvme_command *c)
{
	c->rw.lbat = 0;
	c->rw.lbatm = 0;
	return NVME_WZ_DEAC;
}
