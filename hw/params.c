// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, and their validation at load time.
 */
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include "../lnvme.h"

unsigned int lnvme_max_io_queues;
module_param_named(max_io_queues, lnvme_max_io_queues, uint, 0444);
MODULE_PARM_DESC(max_io_queues,
		 "Most interrupt-driven I/O queue pairs per controller (0 = one per CPU, up to 4095)");

unsigned int lnvme_io_queue_depth = 1024;
module_param_named(io_queue_depth, lnvme_io_queue_depth, uint, 0444);
MODULE_PARM_DESC(io_queue_depth,
		 "Entries per I/O submission queue, capped by CAP.MQES (2-4096, default 1024)");

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

/*
 * poll_queues and write_queues may be written at run time, through
 * /sys/module/lnvme/parameters/; a controller takes the new value at its
 * next reset.  A value out of range is refused.
 */
static int lnvme_param_set_queues(const char *val,
				  const struct kernel_param *kp,
				  unsigned int max)
{
	unsigned int n;
	int ret;

	ret = kstrtouint(val, 0, &n);
	if (ret)
		return -EINVAL;
	if (n > max) {
		pr_err(LNVME_NAME ": %s=%u is out of range (0-%u)\n",
		       kp->name, n, max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

static int lnvme_param_set_poll_queues(const char *val,
				       const struct kernel_param *kp)
{
	return lnvme_param_set_queues(val, kp, LNVME_MAX_POLL_QUEUES);
}

static int lnvme_param_set_write_queues(const char *val,
					const struct kernel_param *kp)
{
	return lnvme_param_set_queues(val, kp, LNVME_MAX_WRITE_QUEUES);
}

static const struct kernel_param_ops lnvme_poll_queues_ops = {
	.set	= lnvme_param_set_poll_queues,
	.get	= param_get_uint,
};

static const struct kernel_param_ops lnvme_write_queues_ops = {
	.set	= lnvme_param_set_write_queues,
	.get	= param_get_uint,
};

unsigned int lnvme_poll_queues = 1;
module_param_cb(poll_queues, &lnvme_poll_queues_ops, &lnvme_poll_queues, 0644);
__MODULE_PARM_TYPE(poll_queues, "uint");
MODULE_PARM_DESC(poll_queues,
		 "I/O queue pairs without interrupts, for polled I/O such as io_uring with IORING_SETUP_IOPOLL (0-128, default 1; writable, taken at the next controller reset)");

unsigned int lnvme_write_queues;
module_param_cb(write_queues, &lnvme_write_queues_ops, &lnvme_write_queues, 0644);
__MODULE_PARM_TYPE(write_queues, "uint");
MODULE_PARM_DESC(write_queues,
		 "Interrupt-driven queues kept for writes; the others serve reads (0-4095, 0 = shared, default 0; writable, taken at the next controller reset)");

unsigned int lnvme_sgl_threshold = SZ_32K;
module_param_named(sgl_threshold, lnvme_sgl_threshold, uint, 0444);
MODULE_PARM_DESC(sgl_threshold,
		 "Use SGLs instead of PRPs when the average segment is at least this many bytes (0 = PRPs only, 1 = SGLs always, default 32768)");

bool lnvme_shadow_doorbells = true;
module_param_named(shadow_doorbells, lnvme_shadow_doorbells, bool, 0444);
MODULE_PARM_DESC(shadow_doorbells,
		 "Use shadow doorbells where the controller supports Doorbell Buffer Config (default Y)");

unsigned int lnvme_irq_coalesce_thr;
module_param_named(irq_coalesce_thr, lnvme_irq_coalesce_thr, uint, 0444);
MODULE_PARM_DESC(irq_coalesce_thr,
		 "Interrupt coalescing: completions per interrupt, 0-based (0-255; with irq_coalesce_time 0 and this 0, off: the default)");

unsigned int lnvme_irq_coalesce_time;
module_param_named(irq_coalesce_time, lnvme_irq_coalesce_time, uint, 0444);
MODULE_PARM_DESC(irq_coalesce_time,
		 "Interrupt coalescing: aggregation time in 100 us units (0-255, default 0)");

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
	ret |= lnvme_param_range("io_queue_depth", lnvme_io_queue_depth, 2, LNVME_MAX_QUEUE_DEPTH);
	ret |= lnvme_param_range("admin_timeout", lnvme_admin_timeout, 1, 3600);
	ret |= lnvme_param_range("io_timeout", lnvme_io_timeout, 1, 3600);
	ret |= lnvme_param_range("max_retries", lnvme_max_retries, 0, 255);
	ret |= lnvme_param_range("poll_queues", lnvme_poll_queues, 0,
				 LNVME_MAX_POLL_QUEUES);
	ret |= lnvme_param_range("write_queues", lnvme_write_queues, 0,
				 LNVME_MAX_WRITE_QUEUES);
	ret |= lnvme_param_range("irq_coalesce_thr", lnvme_irq_coalesce_thr, 0, 255);
	ret |= lnvme_param_range("irq_coalesce_time", lnvme_irq_coalesce_time, 0, 255);
	return ret ? -EINVAL : 0;
}
