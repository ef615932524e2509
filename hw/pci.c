// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI driver: probe, remove and shutdown, and the module entry points.
 * Resets and errors: hw/pcierr.c; system sleep: hw/pm.c.
 */
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include "../lnvme.h"

static DEFINE_IDA(lnvme_instance_ida);

static int lnvme_dma_setup(struct lnvme_ctrl *ctrl)
{
	struct device *dev = ctrl->dev;

	if (dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64))) {
		dev_warn(dev, "64-bit DMA not available, falling back to 32-bit\n");
		if (dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32))) {
			dev_err(dev, "no usable DMA addressing\n");
			return -EIO;
		}
	}
	/* Keep the offset within a controller page across bounce buffers. */
	dma_set_min_align_mask(dev, LNVME_CTRL_PAGE_SIZE - 1);
	dma_set_max_seg_size(dev, 0xffffffff);
	return 0;
}

static int lnvme_pci_enable(struct lnvme_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	int ret;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = pci_request_mem_regions(pdev, LNVME_NAME);
	if (ret)
		goto disable;
	ctrl->bar = pci_ioremap_bar(pdev, 0);
	if (!ctrl->bar) {
		dev_err(ctrl->dev, "cannot map BAR0\n");
		ret = -ENOMEM;
		goto release;
	}
	/* For PCIe error recovery, which restores it after a link reset. */
	pci_save_state(pdev);
	return 0;
release:
	pci_release_mem_regions(pdev);
disable:
	pci_disable_device(pdev);
	return ret;
}

static void lnvme_pci_disable(struct lnvme_ctrl *ctrl)
{
	iounmap(ctrl->bar);
	pci_release_mem_regions(ctrl->pdev);
	pci_disable_device(ctrl->pdev);
}

void lnvme_instance_free(int instance)
{
	ida_free(&lnvme_instance_ida, instance);
}

static int lnvme_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct lnvme_ctrl *ctrl;
	int ret;

	ctrl = kzalloc_node(sizeof(*ctrl), GFP_KERNEL, dev_to_node(&pdev->dev));
	if (!ctrl)
		return -ENOMEM;
	ret = ida_alloc_max(&lnvme_instance_ida, LNVME_MAX_MINORS - 1,
			    GFP_KERNEL);
	if (ret < 0) {
		kfree(ctrl);
		return ret;
	}
	ctrl->instance = ret;
	ctrl->pdev = pdev;
	ctrl->dev = &pdev->dev;
	ctrl->state = LNVME_STATE_NEW;
	spin_lock_init(&ctrl->state_lock);
	lnvme_ns_prepare(ctrl);
	init_rwsem(&ctrl->teardown_rwsem);
	lnvme_reset_prepare(ctrl);
	lnvme_event_prepare(ctrl);
	lnvme_hold_prepare(ctrl);
	/* From here on, put_device(&ctrl->cdev_dev) frees ctrl. */
	lnvme_cdev_init(ctrl);

	ret = lnvme_pci_enable(ctrl);
	if (ret)
		goto put_ctrl;
	ret = lnvme_dma_setup(ctrl);
	if (ret)
		goto pci_disable;
	ret = lnvme_pools_create(ctrl);
	if (ret)
		goto pci_disable;
	pci_set_drvdata(pdev, ctrl);

	ret = lnvme_ctrl_start(ctrl);
	if (ret)
		goto destroy_pools;
	ret = lnvme_cdev_add(ctrl);
	if (ret) {
		dev_err(ctrl->dev, "cannot add /dev/%s: %d\n",
			dev_name(&ctrl->cdev_dev), ret);
		goto stop;
	}
	lnvme_hwmon_register(ctrl);
	lnvme_ns_scan(ctrl);
	return 0;

stop:
	lnvme_ctrl_stop(ctrl);
destroy_pools:
	lnvme_pools_destroy(ctrl);
pci_disable:
	lnvme_pci_disable(ctrl);
put_ctrl:
	put_device(&ctrl->cdev_dev);
	return ret;
}

static void lnvme_remove(struct pci_dev *pdev)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);

	if (!pci_device_is_present(pdev) || lnvme_regs_gone(ctrl))
		lnvme_ctrl_kill(ctrl, "device removed");
	lnvme_hwmon_unregister(ctrl);
	lnvme_cdev_del(ctrl);
	lnvme_hold_unwatch(ctrl);
	lnvme_ctrl_stop(ctrl);
	lnvme_pools_destroy(ctrl);
	lnvme_pci_disable(ctrl);
	put_device(&ctrl->cdev_dev);
}

/* Power-off or reboot: a normal shutdown so the controller saves its state. */
static void lnvme_shutdown(struct pci_dev *pdev)
{
	struct lnvme_ctrl *ctrl = pci_get_drvdata(pdev);

	lnvme_regs_shutdown(ctrl);
	lnvme_ctrl_kill(ctrl, NULL);
	dev_info(ctrl->dev, "shut down\n");
}

/*
 * Any NVMe controller, by class code.  There is deliberately no
 * MODULE_DEVICE_TABLE: lnvme must never be autoloaded next to the in-kernel
 * nvme driver and race it for the boot disk.  Load it by hand and bind with
 * driver_override or bind/new_id.
 */
static const struct pci_device_id lnvme_ids[] = {
	{ PCI_DEVICE_CLASS(PCI_CLASS_STORAGE_EXPRESS, 0xffffff) },
	{ }
};

static struct pci_driver lnvme_driver = {
	.name		= LNVME_NAME,
	.id_table	= lnvme_ids,
	.probe		= lnvme_probe,
	.remove		= lnvme_remove,
	.shutdown	= lnvme_shutdown,
	.err_handler	= &lnvme_err_handlers,
	.driver.pm	= pm_sleep_ptr(&lnvme_pm_ops),
};

static int __init lnvme_init(void)
{
	int ret;

	ret = lnvme_params_check();
	if (ret)
		return ret;
	ret = lnvme_reset_init();
	if (ret)
		return ret;
	ret = lnvme_cdev_register();
	if (ret)
		goto reset_exit;
	ret = pci_register_driver(&lnvme_driver);
	if (ret)
		goto cdev_unregister;
	return 0;

cdev_unregister:
	lnvme_cdev_unregister();
reset_exit:
	lnvme_reset_exit();
	return ret;
}

static void __exit lnvme_exit(void)
{
	pci_unregister_driver(&lnvme_driver);
	lnvme_cdev_unregister();
	lnvme_reset_exit();
	ida_destroy(&lnvme_instance_ida);
}

module_init(lnvme_init);
module_exit(lnvme_exit);
MODULE_DESCRIPTION("lnvme: NVMe PCIe blk-mq driver");
MODULE_VERSION(LNVME_VERSION);
MODULE_LICENSE("GPL");
