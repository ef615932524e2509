// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces as disks: one gendisk per active namespace, named
 * lnvme<controller>n<nsid>, set up from Identify Namespace, plus its
 * generic character device (block/generic.c).  A scan adds new namespaces,
 * follows size and format changes, and removes namespaces that are gone.
 *
 * A namespace with separate metadata gets an integrity profile, one with
 * extended LBAs and 8 bytes of PI has the controller insert and strip it
 * (block/integrity.c).  A namespace whose format the block layer cannot
 * serve (other metadata inline with each block, blocks larger than a page)
 * gets a hidden gendisk: no block device, but a request queue for
 * passthrough on its generic node, from which it can be inspected and
 * formatted back.
 *
 * A namespace is removed only when the controller says it is gone: it is
 * not in the Active Namespace ID List, or Identify Namespace answers
 * Invalid Namespace or Format / Invalid Field, or a size of 0.  A command
 * that got no answer (a reset cancelled it, it timed out, the controller
 * died) keeps the namespace; the scan that follows every reset looks again.
 *
 * A namespace is freed with its gendisk (free_disk), so open block devices
 * and generic nodes keep it, and through it the controller, alive.  The
 * locking (scan_lock, ns_lock) is described in lnvme.h.
 */
#include <linux/error-injection.h>
#include "../lnvme.h"

static int lnvme_bdev_ioctl(struct block_device *bdev, blk_mode_t mode,
			    unsigned int cmd, unsigned long arg)
{
	struct lnvme_ns *ns = bdev->bd_disk->private_data;

	return lnvme_ioctl(ns->ctrl, ns, cmd, (void __user *)arg,
			   mode & BLK_OPEN_READ);
}

/* The last reference to an added disk (only those) is gone. */
static void lnvme_free_disk(struct gendisk *disk)
{
	struct lnvme_ns *ns = disk->private_data;

	put_device(&ns->ctrl->cdev_dev);
	kfree(ns);
}

static const struct block_device_operations lnvme_bdev_ops = {
	.owner		= THIS_MODULE,
	.ioctl		= lnvme_bdev_ioctl,
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
	.free_disk	= lnvme_free_disk,
	.report_zones	= lnvme_zoned_report,
};

static void lnvme_ns_limits(struct lnvme_ctrl *ctrl, struct lnvme_ns *ns,
			    struct queue_limits *lim)
{
	u32 lbs = ns->hidden ? SECTOR_SIZE : 1U << ns->lba_shift;

	lim->logical_block_size = lbs;
	lim->physical_block_size = lbs;
	lim->io_min = lbs;
	lim->max_hw_sectors = ctrl->max_hw_sectors;
	lim->max_segments = LNVME_MAX_SEGS;
	lim->virt_boundary_mask = LNVME_CTRL_PAGE_SIZE - 1;
	/* PRP entries need dword alignment; the rest is the PRP rules. */
	lim->dma_alignment = 3;
	lnvme_integrity_limits(ns, lim);

	if (ns->hidden)
		return;
	if (ctrl->vwc & NVME_CTRL_VWC_PRESENT)
		lim->features |= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA;
	if (ctrl->oncs & NVME_CTRL_ONCS_DSM) {
		lim->max_hw_discard_sectors = UINT_MAX;
		lim->max_discard_segments = NVME_DSM_MAX_RANGES;
		lim->discard_granularity = lbs;
	}
	if (ctrl->oncs & NVME_CTRL_ONCS_WRITE_ZEROES)
		lim->max_write_zeroes_sectors =
			(U16_MAX + 1U) << (ns->lba_shift - SECTOR_SHIFT);
	lnvme_zoned_limits(ns, lim);
}

struct lnvme_ns_fmt {
	u8	lba_shift;
	u16	ms;
	bool	ext;
	bool	pi_only;
	u8	pi_type;
};

/*
 * Read the namespace's format into @fmt; false if the block layer cannot
 * serve it (extended LBAs with anything but 8 bytes of PI, block size
 * outside 512 B to a page, bad format index): the namespace then has only
 * its generic node.  A bad index leaves an LBA shift of 0xff, so no
 * transfer size can be computed.  PI is checked only in 8 bytes of
 * metadata, whose guard is the 16-bit CRC whatever the extended formats
 * say (a 64-bit guard takes 16); larger metadata with PI is opaque.
 */
static bool lnvme_ns_format(struct nvme_id_ns *id, struct lnvme_ns_fmt *fmt)
{
	u8 idx = nvme_lbaf_index(id->flbas);

	fmt->lba_shift = 0xff;
	fmt->ms = 0;
	fmt->ext = false;
	fmt->pi_only = false;
	if (idx > id->nlbaf)
		return false;
	fmt->lba_shift = id->lbaf[idx].ds;
	fmt->ms = le16_to_cpu(id->lbaf[idx].ms);
	fmt->ext = fmt->ms && (id->flbas & NVME_NS_FLBAS_META_EXT);
	fmt->pi_only = fmt->ms == 8 && (id->dps & NVME_NS_DPS_PI_MASK);
	fmt->pi_type = fmt->pi_only ? id->dps & NVME_NS_DPS_PI_MASK : 0;
	if (fmt->lba_shift < SECTOR_SHIFT || fmt->lba_shift > PAGE_SHIFT)
		return false;
	if (fmt->ms && !IS_ENABLED(CONFIG_BLK_DEV_INTEGRITY) && !fmt->pi_only)
		return false;
	return !fmt->ext || fmt->pi_only;
}

/* Why a namespace added without a block device has none. */
static void lnvme_ns_no_bdev(struct lnvme_ctrl *ctrl, u32 nsid,
			     struct lnvme_ns_fmt *fmt)
{
	if (fmt->lba_shift == 0xff)
		dev_warn(ctrl->dev, "namespace %u: bad LBA format index, no block device\n",
			 nsid);
	else if (fmt->ms && fmt->lba_shift >= SECTOR_SHIFT &&
		 fmt->lba_shift <= PAGE_SHIFT)
		dev_warn(ctrl->dev, "namespace %u: %u bytes of %s metadata per block are not supported, no block device\n",
			 nsid, fmt->ms, fmt->ext ? "inline" : "separate");
	else
		dev_warn(ctrl->dev, "namespace %u: block size 2^%u is not supported, no block device\n",
			 nsid, fmt->lba_shift);
}

/* How a namespace with metadata is served. */
static void lnvme_ns_meta_info(struct lnvme_ctrl *ctrl, u32 nsid,
			       struct lnvme_ns_fmt *fmt)
{
	if (!fmt->ms)
		return;
	if (fmt->ext)
		dev_info(ctrl->dev, "namespace %u: %u+%u-byte extended blocks, PI type %u made and stripped by the controller (PRACT)\n",
			 nsid, 1U << fmt->lba_shift, fmt->ms, fmt->pi_type);
	else if (fmt->pi_type)
		dev_info(ctrl->dev, "namespace %u: %u+%u-byte blocks, separate metadata, PI type %u (T10-DIF CRC guard)\n",
			 nsid, 1U << fmt->lba_shift, fmt->ms, fmt->pi_type);
	else
		dev_info(ctrl->dev, "namespace %u: %u+%u-byte blocks, separate metadata, no PI checked\n",
			 nsid, 1U << fmt->lba_shift, fmt->ms);
}

/* Bytes one logical block moves through a data buffer. */
u32 lnvme_ns_block_bytes(struct lnvme_ns *ns)
{
	if (ns->lba_shift >= 32)
		return 0;
	return (1U << ns->lba_shift) + (ns->ext ? ns->ms : 0);
}

static void lnvme_ns_set_format(struct lnvme_ns *ns, struct lnvme_ns_fmt *fmt,
				bool usable)
{
	ns->lba_shift = fmt->lba_shift;
	ns->ms = fmt->ms;
	ns->ext = fmt->ext;
	ns->pi_only = fmt->pi_only;
	ns->pi_type = fmt->pi_type;
	ns->hidden = !usable;
}

static sector_t lnvme_ns_sectors(struct lnvme_ns *ns, struct nvme_id_ns *id)
{
	if (ns->hidden)
		return 0;
	return le64_to_cpu(id->nsze) << (ns->lba_shift - SECTOR_SHIFT);
}

/*
 * device_add_disk() in a function of its own, so that fail_function
 * (CONFIG_FAIL_FUNCTION) can make it fail and exercise the unwinding below.
 */
static noinline int lnvme_ns_add_disk(struct lnvme_ctrl *ctrl,
				      struct gendisk *disk)
{
	return device_add_disk(ctrl->dev, disk, NULL);
}
ALLOW_ERROR_INJECTION(lnvme_ns_add_disk, ERRNO);

/*
 * Under scan_lock.  The namespace goes on the list before its disk goes
 * live, so that a queue switch (lnvme_qcount_switch()) that starts
 * meanwhile freezes its queue with the others; while a switch runs, no
 * namespace is added (-EBUSY): the scan after the reset adds it.
 */
static int lnvme_ns_add(struct lnvme_ctrl *ctrl, u32 nsid,
			struct nvme_id_ns *id)
{
	struct queue_limits lim = { };
	struct lnvme_ns_fmt fmt;
	struct gendisk *disk;
	struct lnvme_ns *ns;
	bool usable;
	int ret;

	usable = lnvme_ns_format(id, &fmt);
	if (!usable)
		lnvme_ns_no_bdev(ctrl, nsid, &fmt);
	else
		lnvme_ns_meta_info(ctrl, nsid, &fmt);
	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	ns->dlfeat = id->dlfeat;
	lnvme_ns_set_format(ns, &fmt, usable);
	ret = lnvme_ns_csi_probe(ns, id);
	if (ret)
		goto free_ns;

	lnvme_ns_limits(ctrl, ns, &lim);
	disk = blk_mq_alloc_disk(&ctrl->io_set, &lim, ns);
	if (IS_ERR(disk)) {
		ret = PTR_ERR(disk);
		goto free_ns;
	}
	ns->disk = disk;
	disk->fops = &lnvme_bdev_ops;
	disk->private_data = ns;
	snprintf(disk->disk_name, DISK_NAME_LEN, LNVME_NAME "%dn%u",
		 ctrl->instance, nsid);
	set_capacity(disk, lnvme_ns_sectors(ns, id));
	if (ns->hidden)
		disk->flags |= GENHD_FL_HIDDEN;

	mutex_lock(&ctrl->ns_lock);
	if (test_bit(LNVME_NS_ADD_BLOCKED, &ctrl->flags)) {
		mutex_unlock(&ctrl->ns_lock);
		dev_info(ctrl->dev, "namespace %u: not added while the I/O queues change; the scan after the reset adds it\n",
			 nsid);
		ret = -EBUSY;
		goto put_disk;
	}
	list_add_tail(&ns->entry, &ctrl->namespaces);
	mutex_unlock(&ctrl->ns_lock);

	ret = lnvme_zoned_revalidate(ns, false);
	if (ret)
		goto unlist;
	ret = lnvme_ns_add_disk(ctrl, disk);
	if (ret) {
		dev_err(ctrl->dev, "namespace %u: cannot add disk: %pe\n", nsid,
			ERR_PTR(ret));
		goto unlist;
	}
	/* From here on the disk owns ns and this controller reference. */
	get_device(&ctrl->cdev_dev);
	mutex_lock(&ctrl->ns_lock);
	ns->added = true;
	mutex_unlock(&ctrl->ns_lock);

	ret = lnvme_generic_add(ns);
	if (ret)
		dev_warn(ctrl->dev, "namespace %u: no generic device: %pe\n",
			 nsid, ERR_PTR(ret));
	return 0;

unlist:
	mutex_lock(&ctrl->ns_lock);
	list_del(&ns->entry);
	mutex_unlock(&ctrl->ns_lock);
put_disk:
	/*
	 * Never added, so the last put does not call lnvme_free_disk().  A
	 * queue switch may still hold a reference for a while, but only uses
	 * the disk's queue, not ns.
	 */
	put_disk(disk);
free_ns:
	kfree(ns);
	return ret;
}

/*
 * Under scan_lock.  Off the list first (under ns_lock), then deleted
 * outside it: del_gendisk() waits for I/O.
 *
 * @gone: the namespace is deleted or reformatted, so its data is gone and
 * nothing is flushed to it.  The disk is marked dead first: del_gendisk()
 * would otherwise sync a mounted file system into a queue that a
 * namespace-changing admin command holds frozen, and wait forever.
 */
static void lnvme_ns_remove(struct lnvme_ns *ns, bool gone)
{
	struct lnvme_ctrl *ctrl = ns->ctrl;

	mutex_lock(&ctrl->ns_lock);
	list_del(&ns->entry);
	WRITE_ONCE(ns->removed, true);
	mutex_unlock(&ctrl->ns_lock);

	if (gone)
		dev_info(ctrl->dev, "namespace %u: removed\n", ns->nsid);
	lnvme_generic_del(ns);
	if (gone && !ns->hidden)
		blk_mark_disk_dead(ns->disk);
	del_gendisk(ns->disk);
	put_disk(ns->disk);
}

static bool lnvme_ns_same_format(struct lnvme_ns *ns, struct lnvme_ns_fmt *fmt)
{
	return fmt->lba_shift == ns->lba_shift && fmt->ms == ns->ms &&
	       fmt->ext == ns->ext && fmt->pi_only == ns->pi_only &&
	       fmt->pi_type == ns->pi_type;
}

/*
 * Follow a changed size or format (e.g. after nvme format).  -EAGAIN when
 * the namespace gains or loses its block device: it must be added anew.
 * Under scan_lock, which keeps ns alive.
 */
static int lnvme_ns_update(struct lnvme_ns *ns, struct nvme_id_ns *id)
{
	struct request_queue *q = ns->disk->queue;
	struct queue_limits lim;
	struct lnvme_ns_fmt fmt;
	unsigned int memflags;
	bool usable;
	int ret;

	usable = lnvme_ns_format(id, &fmt);
	/* Only an NVM namespace changes its format in place (below). */
	if (ns->csi != NVME_CSI_NVM && !lnvme_ns_same_format(ns, &fmt))
		return -EAGAIN;
	ret = lnvme_ns_csi_update(ns, id);
	if (ret)
		return ret < 0 ? ret : 0;
	if (usable == ns->hidden)
		return -EAGAIN;
	ns->dlfeat = id->dlfeat;
	if (lnvme_ns_same_format(ns, &fmt)) {
		set_capacity_and_notify(ns->disk, lnvme_ns_sectors(ns, id));
		return 0;
	}

	memflags = blk_mq_freeze_queue(q);
	lim = queue_limits_start_update(q);
	lnvme_ns_set_format(ns, &fmt, usable);
	lnvme_ns_limits(ns->ctrl, ns, &lim);
	ret = queue_limits_commit_update(q, &lim);
	set_capacity_and_notify(ns->disk, lnvme_ns_sectors(ns, id));
	blk_mq_unfreeze_queue(q, memflags);
	dev_info(ns->ctrl->dev, "namespace %u: now 2^%u-byte blocks with %u bytes of metadata\n",
		 ns->nsid, ns->lba_shift, ns->ms);
	lnvme_ns_meta_info(ns->ctrl, ns->nsid, &fmt);
	return ret;
}

/* Under scan_lock, which keeps the list stable. */
static struct lnvme_ns *lnvme_ns_find(struct lnvme_ctrl *ctrl, u32 nsid)
{
	struct lnvme_ns *ns;

	list_for_each_entry(ns, &ctrl->namespaces, entry)
		if (ns->nsid == nsid)
			return ns;
	return NULL;
}

/*
 * Whether the answer @ret (lnvme_admin_exec()'s) to Identify Namespace,
 * with the data in @id, is the controller saying the namespace is not
 * there: Invalid Namespace or Format, Invalid Field, or all zeroes (an
 * inactive NSID).  A negative @ret is no answer at all, and any other
 * status says nothing about the namespace.
 */
static bool lnvme_ns_absent(int ret, struct nvme_id_ns *id)
{
	if (ret < 0)
		return false;
	if (ret > 0) {
		switch (ret & NVME_SCT_SC_MASK) {
		case NVME_SC_INVALID_NS:
		case NVME_SC_INVALID_FIELD:
			return true;
		default:
			return false;
		}
	}
	return !id->nsze;
}

/*
 * Add, update or remove the disk of one listed namespace.  0, or an errno
 * when the scan of this namespace is incomplete (it is kept as it was).
 */
static int lnvme_ns_check(struct lnvme_ctrl *ctrl, u32 nsid,
			  struct nvme_id_ns *id)
{
	struct lnvme_ns *ns = lnvme_ns_find(ctrl, nsid);
	int ret;

	ret = lnvme_identify(ctrl, NVME_ID_CNS_NS, nsid, id);
	if (lnvme_ns_absent(ret, id)) {
		if (ns)
			lnvme_ns_remove(ns, true);
		return 0;
	}
	if (ret) {
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"Identify Namespace %u failed, %s", nsid,
				ns ? "namespace kept" : "namespace not added");
		return lnvme_admin_errno(ret);
	}
	if (ns) {
		ret = lnvme_ns_update(ns, id);
		if (!ret)
			return 0;
		/* Reformatted: the old disk goes, its data is gone. */
		lnvme_ns_remove(ns, true);
		if (ret != -EAGAIN)
			return ret;
	}
	return lnvme_ns_add(ctrl, nsid, id);
}

static bool lnvme_nsid_listed(__le32 *list, u32 nsid)
{
	unsigned int i;

	for (i = 0; i < NVME_IDENTIFY_DATA_SIZE / sizeof(*list) && list[i]; i++)
		if (le32_to_cpu(list[i]) == nsid)
			return true;
	return false;
}

/*
 * Identify Active Namespace ID List: ascending nsids, zero-terminated.
 * Caller holds scan_lock.  Returns 0, or the first error: the scan is then
 * incomplete, and what it could not check is left as it was.
 */
int lnvme_ns_scan_locked(struct lnvme_ctrl *ctrl)
{
	struct lnvme_ns *ns, *next;
	struct nvme_id_ns *id;
	unsigned int i;
	__le32 *list;
	int ret, err;

	lockdep_assert_held(&ctrl->scan_lock);
	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	ret = -ENOMEM;
	if (!list || !id)
		goto out;
	ret = lnvme_identify(ctrl, NVME_ID_CNS_NS_ACTIVE_LIST, 0, list);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_ERR, ret,
				"Identify Active Namespace List failed");
		ret = lnvme_admin_errno(ret);
		goto out;
	}

	list_for_each_entry_safe(ns, next, &ctrl->namespaces, entry)
		if (!lnvme_nsid_listed(list, ns->nsid))
			lnvme_ns_remove(ns, true);
	for (i = 0; i < NVME_IDENTIFY_DATA_SIZE / sizeof(*list) && list[i]; i++) {
		err = lnvme_ns_check(ctrl, le32_to_cpu(list[i]), id);
		if (err && !ret)
			ret = err;
	}
out:
	kfree(id);
	kfree(list);
	return ret;
}

int lnvme_ns_scan(struct lnvme_ctrl *ctrl)
{
	int ret;

	mutex_lock(&ctrl->scan_lock);
	ret = lnvme_ns_scan_locked(ctrl);
	mutex_unlock(&ctrl->scan_lock);
	return ret;
}

static void lnvme_ns_scan_work(struct work_struct *work)
{
	struct lnvme_ctrl *ctrl = container_of(work, struct lnvme_ctrl,
					       scan_work);

	lnvme_ns_scan(ctrl);
}

/*
 * Scan from a work item, for those that must not wait for a scan (the
 * reset work: a scan may wait for I/O that waits for a reset).  Only a
 * live controller is scanned; lnvme_ns_remove_all() cancels the work.
 */
void lnvme_ns_queue_scan(struct lnvme_ctrl *ctrl)
{
	if (lnvme_ctrl_state(ctrl) == LNVME_STATE_LIVE)
		queue_work(system_long_wq, &ctrl->scan_work);
}

void lnvme_ns_prepare(struct lnvme_ctrl *ctrl)
{
	mutex_init(&ctrl->scan_lock);
	mutex_init(&ctrl->ns_lock);
	INIT_LIST_HEAD(&ctrl->namespaces);
	INIT_WORK(&ctrl->scan_work, lnvme_ns_scan_work);
}

/*
 * The disks of the listed namespaces, each with a reference, in a
 * NULL-terminated array; NULL without memory.  Nothing is allocated under
 * ns_lock: if the list grew while the array was allocated, again.
 * GFP_NOIO: the reset work calls this while I/O waits for it.
 */
static struct gendisk **lnvme_ns_get_disks(struct lnvme_ctrl *ctrl)
{
	struct gendisk **disks = NULL;
	unsigned int room = 0, n = 0;
	struct lnvme_ns *ns;

	mutex_lock(&ctrl->ns_lock);
	while (room <= list_count_nodes(&ctrl->namespaces)) {
		room = list_count_nodes(&ctrl->namespaces) + 1;
		mutex_unlock(&ctrl->ns_lock);
		kfree(disks);
		disks = kcalloc(room, sizeof(*disks), GFP_NOIO);
		if (!disks)
			return NULL;
		mutex_lock(&ctrl->ns_lock);
	}
	list_for_each_entry(ns, &ctrl->namespaces, entry) {
		get_device(disk_to_dev(ns->disk));
		disks[n++] = ns->disk;
	}
	mutex_unlock(&ctrl->ns_lock);
	return disks;
}

/*
 * Freeze every namespace's queue: around a command that may change their
 * format or existence, so no I/O is built with a stale block size, and
 * around a change of the I/O queues.  With @wait false the freeze is only
 * started (blk_mq_freeze_queue_wait() finishes it).  The returned
 * NULL-terminated array holds a reference on each disk.  The queues are
 * frozen outside ns_lock.  Whoever holds the freeze allocates only under
 * memalloc_noio_save(): reclaim writing to a frozen disk would wait for
 * the unfreeze, which waits for the allocation.
 */
struct gendisk **lnvme_ns_freeze_all(struct lnvme_ctrl *ctrl, bool wait)
{
	struct gendisk **disks;
	unsigned int i;

	disks = lnvme_ns_get_disks(ctrl);
	if (!disks)
		return NULL;
	/*
	 * Non-owner: the freeze may end in another context (the reset work),
	 * and a rescan under it may remove a disk, whose own freeze nests
	 * in this one; lockdep must not see a lock held on return to user
	 * space.
	 */
	for (i = 0; disks[i]; i++)
		blk_freeze_queue_start_non_owner(disks[i]->queue);
	if (wait)
		for (i = 0; disks[i]; i++)
			blk_mq_freeze_queue_wait(disks[i]->queue);
	return disks;
}

void lnvme_ns_unfreeze_all(struct gendisk **disks)
{
	unsigned int i;

	for (i = 0; disks[i]; i++) {
		blk_mq_unfreeze_queue_non_owner(disks[i]->queue);
		put_device(disk_to_dev(disks[i]));
	}
	kfree(disks);
}

/*
 * Controller removal: after the reset and event work are flushed, so no
 * scan is queued any more (the controller is no longer live).
 */
void lnvme_ns_remove_all(struct lnvme_ctrl *ctrl)
{
	struct lnvme_ns *ns, *next;

	cancel_work_sync(&ctrl->scan_work);
	mutex_lock(&ctrl->scan_lock);
	list_for_each_entry_safe(ns, next, &ctrl->namespaces, entry)
		lnvme_ns_remove(ns, false);
	mutex_unlock(&ctrl->scan_lock);
}
