// SPDX-License-Identifier: GPL-2.0
/*
 * PCI resets and PCIe error recovery (pci_error_handlers).
 *
 * A function-level reset (sysfs reset, VFIO hand-off) is an orderly
 * controller reset: reset_prepare holds the controller stopped (hw/hold.c:
 * quiesced, disabled, requests in flight handed back to blk-mq), reset_done
 * restarts it and waits until it is live again.  No request fails.
 *
 * PCIe errors (AER), as the PCI core reports them:
 *  - non-fatal (channel normal): the controller keeps running unless its
 *    status says otherwise (CFS, or registers reading all ones), in which
 *    case it is reset as after a fatal error;
 *  - fatal (channel frozen): the controller is held stopped before the PCI
 *    core resets the link, and restarted from slot_reset, once the config
 *    space is restored; resume waits for the restart.  If the core's
 *    recovery fails before slot_reset (it then calls no handler), a
 *    watchdog restarts the controller after 30 s (hw/hold.c);
 *  - permanent failure: the controller is dead, its disks fail I/O.
 */
#include "../lnvme.h"

static void lnvme_reset_prepare_fn(struct pci_dev *pdev)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);

	if (lnvme_hold(ctrl, false))
		dev_info(ctrl->dev, "function reset: controller stopped\n");
}

static void lnvme_reset_done_fn(struct pci_dev *pdev)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);
	unsigned long start = jiffies;

	if (!lnvme_hold_release(ctrl, true))
		dev_info(ctrl->dev, "function reset: controller live again in %u ms\n",
			 jiffies_to_msecs(jiffies - start));
}

static pci_ers_result_t lnvme_error_detected(struct pci_dev *pdev,
					     pci_channel_state_t state)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);

	switch (state) {
	case pci_channel_io_normal:
		dev_warn(ctrl->dev, "PCIe non-fatal error reported: checking the controller\n");
		return PCI_ERS_RESULT_CAN_RECOVER;
	case pci_channel_io_frozen:
		dev_warn(ctrl->dev, "PCIe fatal error (channel frozen): stopping the controller until the link is reset\n");
		if (!lnvme_hold(ctrl, false))
			return PCI_ERS_RESULT_DISCONNECT;
		lnvme_hold_watch(ctrl);
		return PCI_ERS_RESULT_NEED_RESET;
	case pci_channel_io_perm_failure:
		lnvme_ctrl_kill(ctrl, "PCIe error: permanent failure");
		return PCI_ERS_RESULT_DISCONNECT;
	}
	return PCI_ERS_RESULT_NEED_RESET;
}

/* Non-fatal error, MMIO works: reset only a controller that is in trouble. */
static pci_ers_result_t lnvme_mmio_enabled(struct pci_dev *pdev)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);
	u32 csts = readl(ctrl->bar + NVME_REG_CSTS);

	if (lnvme_ctrl_state(ctrl) == LNVME_STATE_DEAD)
		return PCI_ERS_RESULT_RECOVERED;
	if (csts == ~0U || csts & NVME_CSTS_CFS) {
		dev_warn(ctrl->dev, "controller status %#x after the PCIe error: resetting it\n",
			 csts);
		return PCI_ERS_RESULT_NEED_RESET;
	}
	dev_info(ctrl->dev, "controller healthy after the non-fatal PCIe error: continuing\n");
	return PCI_ERS_RESULT_RECOVERED;
}

static pci_ers_result_t lnvme_slot_reset(struct pci_dev *pdev)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);

	pci_restore_state(pdev);
	/* Held since error_detected (fatal), or not yet (non-fatal, unhealthy). */
	if (!lnvme_hold(ctrl, false))
		return PCI_ERS_RESULT_DISCONNECT;
	dev_info(ctrl->dev, "PCIe link reset: restarting the controller\n");
	lnvme_hold_release(ctrl, false);
	return PCI_ERS_RESULT_RECOVERED;
}

static void lnvme_error_resume(struct pci_dev *pdev)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);

	flush_work(&ctrl->reset_work);
	dev_info(ctrl->dev, "PCIe error recovery done: controller %s\n",
		 lnvme_ctrl_state_name(ctrl));
}

const struct pci_error_handlers lnvme_err_handlers = {
	.error_detected	= lnvme_error_detected,
	.mmio_enabled	= lnvme_mmio_enabled,
	.slot_reset	= lnvme_slot_reset,
	.resume		= lnvme_error_resume,
	.reset_prepare	= lnvme_reset_prepare_fn,
	.reset_done	= lnvme_reset_done_fn,
};
