// SPDX-License-Identifier: GPL-2.0
/*
 * System sleep (dev_pm_ops): suspend/resume and hibernation's
 * freeze/thaw/poweroff/restore.
 *
 * Going down, the controller is held stopped (hw/hold.c) after a normal
 * shutdown (CC.SHN, waiting as long as RTD3E asks, at least 5 s): new
 * requests wait in the quiesced queues, those in flight get a moment to
 * complete and are otherwise handed back to blk-mq.  Coming back, the reset
 * work enables the controller, re-creates the I/O queues and the shadow
 * doorbells, re-arms the async event, unquiesces and rescans.  The block
 * devices stay the same devices; no request fails.
 */
#include "../lnvme.h"

static int lnvme_pm_suspend(struct device *dev)
{
	struct lnvme_ctrl *ctrl = dev_get_drvdata(dev);

	if (lnvme_hold(ctrl, true))
		dev_dbg(ctrl->dev, "suspended\n");
	return 0;
}

static int lnvme_pm_resume(struct device *dev)
{
	struct lnvme_ctrl *ctrl = dev_get_drvdata(dev);
	unsigned long start = jiffies;
	int ret;

	ret = lnvme_hold_release(ctrl, true);
	if (ret == -ENODEV)
		return 0;	/* it was dead before the suspend */
	if (ret) {
		dev_err(ctrl->dev, "resume failed: %d\n", ret);
		return ret;
	}
	dev_info(ctrl->dev, "resumed: controller live in %u ms\n",
		 jiffies_to_msecs(jiffies - start));
	return 0;
}

DEFINE_SIMPLE_DEV_PM_OPS(lnvme_pm_ops, lnvme_pm_suspend, lnvme_pm_resume);
