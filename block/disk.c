// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces as disks: one gendisk per active namespace, named
 * lnvme<controller>n<nsid>, set up from Identify Namespace.
 */
#include "../lnvme.h"

static const struct block_device_operations lnvme_bdev_ops = {
	.owner		= THIS_MODULE,
};

static void lnvme_ns_limits(struct lnvme_ctrl *ctrl, struct lnvme_ns *ns,
			    struct queue_limits *lim)
{
	u32 lbs = 1U << ns->lba_shift;

	lim->logical_block_size = lbs;
	lim->physical_block_size = lbs;
	lim->io_min = lbs;
	lim->max_hw_sectors = ctrl->max_hw_sectors;
	lim->max_segments = LNVME_MAX_SEGS;
	lim->virt_boundary_mask = LNVME_CTRL_PAGE_SIZE - 1;
	/* PRP entries need dword alignment; the rest is the PRP rules. */
	lim->dma_alignment = 3;

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
}

/* Check the namespace's format; returns the LBA shift, or 0 if unusable. */
static u8 lnvme_ns_lba_shift(struct lnvme_ctrl *ctrl, u32 nsid,
			     struct nvme_id_ns *id)
{
	u8 idx = nvme_lbaf_index(id->flbas);
	u8 ds;

	if (idx > id->nlbaf) {
		dev_warn(ctrl->dev, "namespace %u: bad LBA format index %u\n",
			 nsid, idx);
		return 0;
	}
	ds = id->lbaf[idx].ds;
	if (le16_to_cpu(id->lbaf[idx].ms)) {
		dev_warn(ctrl->dev, "namespace %u: %u bytes of metadata per block are not supported, no disk\n",
			 nsid, le16_to_cpu(id->lbaf[idx].ms));
		return 0;
	}
	if (ds < SECTOR_SHIFT || ds > PAGE_SHIFT) {
		dev_warn(ctrl->dev, "namespace %u: block size 2^%u is not supported, no disk\n",
			 nsid, ds);
		return 0;
	}
	return ds;
}

static int lnvme_ns_add_disk(struct lnvme_ctrl *ctrl, struct lnvme_ns *ns,
			     u64 nsze)
{
	struct queue_limits lim = { };
	struct gendisk *disk;
	int ret;

	lnvme_ns_limits(ctrl, ns, &lim);
	disk = blk_mq_alloc_disk(&ctrl->io_set, &lim, ns);
	if (IS_ERR(disk))
		return PTR_ERR(disk);
	disk->fops = &lnvme_bdev_ops;
	disk->private_data = ns;
	snprintf(disk->disk_name, DISK_NAME_LEN, LNVME_NAME "%dn%u",
		 ctrl->instance, ns->nsid);
	set_capacity(disk, nsze << (ns->lba_shift - SECTOR_SHIFT));

	ret = device_add_disk(ctrl->dev, disk, NULL);
	if (ret) {
		put_disk(disk);
		return ret;
	}
	ns->disk = disk;
	return 0;
}

static int lnvme_ns_add(struct lnvme_ctrl *ctrl, u32 nsid)
{
	struct nvme_id_ns *id;
	struct lnvme_ns *ns;
	int ret;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	ret = lnvme_identify(ctrl, NVME_ID_CNS_NS, nsid, id);
	if (ret) {
		dev_warn(ctrl->dev, "Identify Namespace %u failed: %#x\n", nsid, ret);
		goto out;
	}
	ret = -ENODEV;
	if (!id->nsze)
		goto out;

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns) {
		ret = -ENOMEM;
		goto out;
	}
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	ns->dlfeat = id->dlfeat;
	ns->lba_shift = lnvme_ns_lba_shift(ctrl, nsid, id);
	if (!ns->lba_shift) {
		kfree(ns);
		goto out;
	}
	ret = lnvme_ns_add_disk(ctrl, ns, le64_to_cpu(id->nsze));
	if (ret) {
		dev_err(ctrl->dev, "namespace %u: cannot add disk: %d\n", nsid, ret);
		kfree(ns);
		goto out;
	}
	list_add_tail(&ns->entry, &ctrl->namespaces);
out:
	kfree(id);
	return ret;
}

/* Identify Active Namespace ID List: ascending nsids, zero-terminated. */
int lnvme_ns_scan(struct lnvme_ctrl *ctrl)
{
	__le32 *list;
	unsigned int i;
	int ret;

	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	ret = lnvme_identify(ctrl, NVME_ID_CNS_NS_ACTIVE_LIST, 0, list);
	if (ret) {
		dev_err(ctrl->dev, "Identify Active Namespace List failed: %#x\n", ret);
		kfree(list);
		return ret < 0 ? ret : -EIO;
	}

	mutex_lock(&ctrl->ns_lock);
	for (i = 0; i < NVME_IDENTIFY_DATA_SIZE / sizeof(*list); i++) {
		u32 nsid = le32_to_cpu(list[i]);

		if (!nsid)
			break;
		lnvme_ns_add(ctrl, nsid);
	}
	mutex_unlock(&ctrl->ns_lock);
	kfree(list);
	return 0;
}

void lnvme_ns_remove_all(struct lnvme_ctrl *ctrl)
{
	struct lnvme_ns *ns, *next;

	mutex_lock(&ctrl->ns_lock);
	list_for_each_entry_safe(ns, next, &ctrl->namespaces, entry) {
		del_gendisk(ns->disk);
		put_disk(ns->disk);
		list_del(&ns->entry);
		kfree(ns);
	}
	mutex_unlock(&ctrl->ns_lock);
}
