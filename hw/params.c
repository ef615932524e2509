// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, and their validation at load time.
 */
#include <linux/moduleparam.h>
#include "../lnvme.h"

unsigned int lnvme_max_io_queues;
module_param_named(max_io_queues, lnvme_max_io_queues, uint, 0444);
MODULE_PARM_DESC(max_io_queues,
		 "Most interrupt-driven I/O queue pairs per controller (0 = one per CPU, up to 4095)");

unsigned int lnvme_io_queue_depth = 1024;
module_param_named(io_queue_depth, lnvme_io_queue_depth, uint, 0444);
MODULE_PARM_DESC(io_queue_depth,
		 "Entries per I/O submission queue, capped by CAP.MQES (2-65536, default 1024)");

unsigned int lnvme_admin_timeout = 60;
module_param_named(admin_timeout, lnvme_admin_timeout, uint, 0444);
MODULE_PARM_DESC(admin_timeout, "Admin command timeout in seconds (1-3600, default 60)");

unsigned int lnvme_io_timeout = 30;
module_param_named(io_timeout, lnvme_io_timeout, uint, 0444);
MODULE_PARM_DESC(io_timeout, "I/O command timeout in seconds (1-3600, default 30)");

unsigned int lnvme_max_retries = 5;
module_param_named(max_retries, lnvme_max_retries, uint, 0444);
MODULE_PARM_DESC(max_retries,
		 "Retries of a command that failed without Do Not Retry (0-255, default 5)");

static int lnvme_param_range(const char *name, unsigned int val,
			     unsigned int min, unsigned int max)
{
	if (val >= min && val <= max)
		return 0;
	pr_err(LNVME_NAME ": %s=%u is out of range (%u-%u)\n",
	       name, val, min, max);
	return -EINVAL;
}

int lnvme_params_check(void)
{
	int ret = 0;

	ret |= lnvme_param_range("max_io_queues", lnvme_max_io_queues, 0, 4095);
	ret |= lnvme_param_range("io_queue_depth", lnvme_io_queue_depth, 2, 65536);
	ret |= lnvme_param_range("admin_timeout", lnvme_admin_timeout, 1, 3600);
	ret |= lnvme_param_range("io_timeout", lnvme_io_timeout, 1, 3600);
	ret |= lnvme_param_range("max_retries", lnvme_max_retries, 0, 255);
	return ret ? -EINVAL : 0;
}
