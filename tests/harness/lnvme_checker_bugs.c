// SPDX-License-Identifier: GPL-2.0
/*
 * Deliberate bugs, one of each kind the debug kernel's checkers report, so
 * that tests/harness-detects-checkers.sh can prove the VM harness fails a
 * run on each report.  Never load it anywhere else.
 *
 *   insmod lnvme_checker_bugs.ko bugs=kasan,lockdep,sleep,dma,leak
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bugs = "";
module_param(bugs, charp, 0444);
MODULE_PARM_DESC(bugs, "comma-separated: kasan, lockdep, sleep, dma, leak");

static void *lnvme_checker_leaked;

static noinline void lnvme_checker_kasan(void)
{
	char *p = kmalloc(32, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	/* Use after free. */
	pr_info("lnvme_checker_bugs: read after free: %d\n", READ_ONCE(p[3]));
}

static DEFINE_MUTEX(lnvme_checker_a);
static DEFINE_MUTEX(lnvme_checker_b);

static noinline void lnvme_checker_lockdep(void)
{
	/* A then B, later B then A: a possible circular dependency. */
	mutex_lock(&lnvme_checker_a);
	mutex_lock(&lnvme_checker_b);
	mutex_unlock(&lnvme_checker_b);
	mutex_unlock(&lnvme_checker_a);
	mutex_lock(&lnvme_checker_b);
	mutex_lock(&lnvme_checker_a);
	mutex_unlock(&lnvme_checker_a);
	mutex_unlock(&lnvme_checker_b);
}

static DEFINE_SPINLOCK(lnvme_checker_lock);

static noinline void lnvme_checker_sleep(void)
{
	void *p;

	/* An allocation that may sleep, under a spinlock. */
	spin_lock(&lnvme_checker_lock);
	p = kmalloc(64, GFP_KERNEL);
	spin_unlock(&lnvme_checker_lock);
	kfree(p);
}

static noinline void lnvme_checker_dma(void)
{
	struct platform_device *pdev;
	dma_addr_t dma;
	void *buf;

	pdev = platform_device_register_simple("lnvme_checker_bugs", -1,
					       NULL, 0);
	if (IS_ERR(pdev))
		return;
	if (dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64)))
		goto unregister;
	buf = kmalloc(4096, GFP_KERNEL);
	if (!buf)
		goto unregister;
	dma = dma_map_single(&pdev->dev, buf, 4096, DMA_TO_DEVICE);
	if (dma_mapping_error(&pdev->dev, dma))
		goto free;
	/* Unmapped with the wrong size and direction. */
	dma_unmap_single(&pdev->dev, dma, 512, DMA_FROM_DEVICE);
free:
	kfree(buf);
unregister:
	platform_device_unregister(pdev);
}

static noinline void lnvme_checker_leak(void)
{
	lnvme_checker_leaked = kmalloc(256, GFP_KERNEL);
	/* Forget the only reference. */
	WRITE_ONCE(lnvme_checker_leaked, NULL);
}

static int __init lnvme_checker_init(void)
{
	/* lockdep first: any report's taint turns lock debugging off. */
	if (strstr(bugs, "lockdep"))
		lnvme_checker_lockdep();
	if (strstr(bugs, "sleep"))
		lnvme_checker_sleep();
	if (strstr(bugs, "dma"))
		lnvme_checker_dma();
	if (strstr(bugs, "leak"))
		lnvme_checker_leak();
	if (strstr(bugs, "kasan"))
		lnvme_checker_kasan();
	return 0;
}

static void __exit lnvme_checker_exit(void)
{
}

module_init(lnvme_checker_init);
module_exit(lnvme_checker_exit);
MODULE_DESCRIPTION("Deliberate bugs to test lnvme's VM harness");
MODULE_LICENSE("GPL");
