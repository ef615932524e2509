// SPDX-License-Identifier: GPL-2.0
/*
 * Controller registers: enable, disable and shut down through CC and CSTS.
 */
#include <linux/delay.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include "../lnvme.h"

/* True when the device has gone: reads of its registers return all ones. */
bool lnvme_regs_gone(struct lnvme_ctrl *ctrl)
{
	return readl(ctrl->bar + NVME_REG_CSTS) == ~0U;
}

/* CAP.TO is in units of 500 ms. */
static unsigned long lnvme_regs_timeout(struct lnvme_ctrl *ctrl)
{
	return jiffies + msecs_to_jiffies((NVME_CAP_TIMEOUT(ctrl->cap) + 1) * 500);
}

static int lnvme_regs_wait(struct lnvme_ctrl *ctrl, u32 mask, u32 val,
			   unsigned long deadline, const char *what)
{
	u32 csts;

	for (;;) {
		csts = readl(ctrl->bar + NVME_REG_CSTS);
		if (csts == ~0U) {
			dev_err(ctrl->dev, "device gone while waiting for %s\n", what);
			return -ENODEV;
		}
		if ((csts & mask) == val)
			return 0;
		if (csts & NVME_CSTS_CFS && val) {
			dev_err(ctrl->dev, "controller fatal status while waiting for %s\n",
				what);
			return -EIO;
		}
		if (time_after(jiffies, deadline)) {
			dev_err(ctrl->dev, "timed out waiting for %s (CSTS %#x)\n",
				what, csts);
			return -ETIMEDOUT;
		}
		usleep_range(1000, 2000);
	}
}

int lnvme_regs_disable(struct lnvme_ctrl *ctrl)
{
	u32 cc = readl(ctrl->bar + NVME_REG_CC);

	if (cc == ~0U)
		return -ENODEV;
	if (cc & NVME_CC_ENABLE)
		writel(cc & ~NVME_CC_ENABLE, ctrl->bar + NVME_REG_CC);
	return lnvme_regs_wait(ctrl, NVME_CSTS_RDY, 0,
			       lnvme_regs_timeout(ctrl), "CSTS.RDY=0");
}

/* Program the admin queue registers and set CC.EN. */
int lnvme_regs_enable(struct lnvme_ctrl *ctrl)
{
	struct lnvme_queue *aq = &ctrl->queues[0];
	u32 aqa = (aq->depth - 1) | (aq->depth - 1) << 16;
	u32 cc;

	writel(aqa, ctrl->bar + NVME_REG_AQA);
	lo_hi_writeq(aq->sq_dma, ctrl->bar + NVME_REG_ASQ);
	lo_hi_writeq(aq->cq_dma, ctrl->bar + NVME_REG_ACQ);

	cc = lnvme_csi_cc_css(ctrl) | NVME_CC_AMS_RR | NVME_CC_SHN_NONE |
	     (LNVME_CTRL_PAGE_SHIFT - 12) << NVME_CC_MPS_SHIFT |
	     NVME_CC_IOSQES | NVME_CC_IOCQES | NVME_CC_ENABLE;
	writel(cc, ctrl->bar + NVME_REG_CC);
	return lnvme_regs_wait(ctrl, NVME_CSTS_RDY, NVME_CSTS_RDY,
			       lnvme_regs_timeout(ctrl), "CSTS.RDY=1");
}

/*
 * Normal shutdown: CC.SHN = 01b, then wait for CSTS.SHST = complete.
 * Returns 0 once shut down (or already disabled), else an error: the
 * controller may still be running and must be disabled (or fenced) before
 * its queues are freed.
 */
int lnvme_regs_shutdown(struct lnvme_ctrl *ctrl)
{
	unsigned long deadline;
	u32 cc = readl(ctrl->bar + NVME_REG_CC);

	if (cc == ~0U)
		return -ENODEV;
	if (!(cc & NVME_CC_ENABLE))
		return 0;
	cc = (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL;
	writel(cc, ctrl->bar + NVME_REG_CC);
	deadline = jiffies + msecs_to_jiffies(ctrl->shutdown_timeout);
	return lnvme_regs_wait(ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT,
			       deadline, "shutdown");
}
