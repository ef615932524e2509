// SPDX-License-Identifier: GPL-2.0
/*
 * Zoned namespaces (NVMe Zoned Namespace Command Set) as host-managed zoned
 * block devices.
 *
 * hw/csi.c finds a namespace's command set; for a zoned one,
 * lnvme_zoned_probe() reads the zone geometry (Identify Namespace and
 * Identify Controller for the Zoned command set): the zone size from the
 * LBA format extension of the namespace's format, the open and active
 * zone limits (MOR, MAR), and the zone append size limit (ZASL).  The
 * disk gets BLK_FEAT_ZONED with chunk_sectors = zone size, and its zones
 * are checked by blk_revalidate_disk_zones() before the disk is added and
 * at every rescan (after a controller reset too).
 *
 * Zone reports (report_zones) are Zone Management Receive commands sent as
 * driver-private requests on the namespace's own queue, into a kvmalloc()
 * buffer no larger than one request can map.  Zone resets, opens, closes
 * and finishes are Zone Management Send; REQ_OP_ZONE_APPEND is a Zone
 * Append, and its completion's dwords 0-1 (the LBA written) become the
 * request's sector (lnvme_zoned_complete() in lnvme.h), which the block
 * layer hands to the bio.
 *
 * Namespaces lnvme does not serve (zone operation characteristics such as
 * variable zone capacity, zone sizes that are not a power of two) get no
 * block device, only their generic node.
 */
#include <linux/vmalloc.h>
#include "../lnvme.h"

static sector_t lnvme_zoned_lba_to_sect(struct lnvme_ns *ns, u64 lba)
{
	return lba << (ns->lba_shift - SECTOR_SHIFT);
}

static u64 lnvme_zoned_sect_to_lba(struct lnvme_ns *ns, sector_t sector)
{
	return sector >> (ns->lba_shift - SECTOR_SHIFT);
}

/* ZASL, a power of two in units of the minimum memory page size. */
static int lnvme_zoned_max_append(struct lnvme_ctrl *ctrl, u32 *sectors)
{
	struct nvme_id_ctrl_zns *id;
	u32 shift;
	int ret;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	ret = lnvme_identify_csi(ctrl, NVME_ID_CNS_CS_CTRL, NVME_CSI_ZNS, 0, id);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"Identify Controller (Zoned command set) failed");
		goto out;
	}
	*sectors = ctrl->max_hw_sectors;
	shift = id->zasl + 12 + NVME_CAP_MPSMIN(ctrl->cap) - SECTOR_SHIFT;
	if (id->zasl && shift < 32)
		*sectors = min(*sectors, 1U << shift);
out:
	kfree(id);
	return ret;
}

/*
 * Read the zone geometry of zoned namespace @ns (whose Identify Namespace
 * data is @id) into @zi.  0; > 0 when lnvme cannot serve the namespace as a
 * zoned block device (logged); a negative errno when the controller did
 * not answer.
 */
int lnvme_zoned_probe(struct lnvme_ns *ns, struct nvme_id_ns *id,
		      struct lnvme_zone_info *zi)
{
	struct lnvme_ctrl *ctrl = ns->ctrl;
	u8 idx = nvme_lbaf_index(id->flbas);
	struct nvme_id_ns_zns *zid;
	u64 zsze;
	int ret;

	memset(zi, 0, sizeof(*zi));
	zi->lba_shift = id->lbaf[idx].ds;
	if (idx > id->nlbaf || zi->lba_shift < SECTOR_SHIFT ||
	    zi->lba_shift > PAGE_SHIFT)
		return 1;	/* block/disk.c has said why */
	ret = lnvme_zoned_max_append(ctrl, &zi->max_append);
	if (ret)
		return ret < 0 ? ret : 1;

	zid = kzalloc(sizeof(*zid), GFP_KERNEL);
	if (!zid)
		return -ENOMEM;
	ret = lnvme_identify_csi(ctrl, NVME_ID_CNS_CS_NS, NVME_CSI_ZNS,
				 ns->nsid, zid);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"namespace %u: Identify Namespace (Zoned command set) failed%s",
				ns->nsid, ret > 0 ? ", no block device" : "");
		ret = ret < 0 ? ret : 1;
		goto out;
	}
	ret = 1;
	if (le16_to_cpu(zid->zoc)) {
		dev_warn(ctrl->dev, "namespace %u: zone operation characteristics %#x are not supported, no block device\n",
			 ns->nsid, le16_to_cpu(zid->zoc));
		goto out;
	}
	zsze = le64_to_cpu(zid->lbafe[idx].zsze);
	if (!zsze || !is_power_of_2(zsze) ||
	    zsze > (U32_MAX >> (zi->lba_shift - SECTOR_SHIFT))) {
		dev_warn(ctrl->dev, "namespace %u: zone size of %llu blocks is not supported, no block device\n",
			 ns->nsid, zsze);
		goto out;
	}
	zi->zone_sectors = zsze << (zi->lba_shift - SECTOR_SHIFT);
	/* 0's based; all ones (no limit) wraps to 0, no limit for blk. */
	zi->max_open = le32_to_cpu(zid->mor) + 1;
	zi->max_active = le32_to_cpu(zid->mar) + 1;
	if (zi->max_active && zi->max_open > zi->max_active)
		zi->max_open = zi->max_active;
	ret = 0;
out:
	kfree(zid);
	return ret;
}

/* Called by block/disk.c at the end of lnvme_ns_limits(). */
void lnvme_zoned_limits(struct lnvme_ns *ns, struct queue_limits *lim)
{
	if (ns->hidden || ns->csi != NVME_CSI_ZNS)
		return;
	lim->features |= BLK_FEAT_ZONED;
	lim->chunk_sectors = ns->zi.zone_sectors;
	lim->max_open_zones = ns->zi.max_open;
	lim->max_active_zones = ns->zi.max_active;
	lim->max_zone_append_sectors = min(ns->zi.max_append,
					   lim->max_hw_sectors);
}

/*
 * Check the zones and set up the block layer's zone state: before the disk
 * is added, and at a rescan (@rescan; the disk is live).  A rescan inside a
 * namespace-changing admin command holds the queue frozen: the zone report
 * would wait for the unfreeze, which waits for the rescan, so it is left to
 * the next rescan.  0 for a namespace that is not zoned.
 */
int lnvme_zoned_revalidate(struct lnvme_ns *ns, bool rescan)
{
	struct request_queue *q = ns->disk->queue;
	struct request *req;
	int ret;

	if (ns->hidden || ns->csi != NVME_CSI_ZNS)
		return 0;
	if (rescan) {
		req = blk_mq_alloc_request(q, REQ_OP_DRV_IN, BLK_MQ_REQ_NOWAIT);
		if (IS_ERR(req)) {
			dev_dbg(ns->ctrl->dev, "namespace %u: zones not revalidated now: %pe\n",
				ns->nsid, req);
			return 0;
		}
		blk_mq_free_request(req);
	}
	ret = blk_revalidate_disk_zones(ns->disk);
	if (ret)
		dev_warn(ns->ctrl->dev, "namespace %u: zone revalidation failed: %pe\n",
			 ns->nsid, ERR_PTR(ret));
	return ret;
}

/* Zone Management Receive into @buf, on the namespace's queue. */
static int lnvme_zoned_recv(struct lnvme_ns *ns, struct nvme_command *c,
			    void *buf, unsigned int len)
{
	return lnvme_admin_errno(lnvme_queue_exec(ns->ctrl, ns->disk->queue, c,
						  buf, len, NULL, 0));
}

/*
 * A report buffer for up to @nr_zones zones: no larger than one request
 * maps (max_hw_sectors, and one page per segment for a vmalloc buffer),
 * halved while the allocation fails.
 */
static void *lnvme_zoned_report_buf(struct lnvme_ns *ns, unsigned int nr_zones,
				    size_t *len)
{
	struct request_queue *q = ns->disk->queue;
	const size_t min_len = sizeof(struct nvme_zone_report) +
			       sizeof(struct nvme_zone_descriptor);
	sector_t zones;
	size_t size;
	void *buf;

	zones = DIV_ROUND_UP_SECTOR_T(get_capacity(ns->disk),
				      ns->zi.zone_sectors);
	nr_zones = min_t(sector_t, nr_zones, zones);
	size = sizeof(struct nvme_zone_report) +
	       (size_t)nr_zones * sizeof(struct nvme_zone_descriptor);
	size = min_t(size_t, size, queue_max_hw_sectors(q) << SECTOR_SHIFT);
	size = min_t(size_t, size, (size_t)queue_max_segments(q) << PAGE_SHIFT);
	for (; size >= min_len; size >>= 1) {
		buf = kvmalloc(size, GFP_KERNEL | __GFP_NORETRY);
		if (buf) {
			*len = size;
			return buf;
		}
	}
	return NULL;
}

static int lnvme_zoned_parse(struct lnvme_ns *ns,
			     struct nvme_zone_descriptor *d, unsigned int idx,
			     report_zones_cb cb, void *data)
{
	struct blk_zone zone = { };

	if ((d->zt & 0xf) != NVME_ZONE_TYPE_SEQWRITE_REQ) {
		dev_err_ratelimited(ns->ctrl->dev, "namespace %u: zone %llu has type %#x, not sequential write required\n",
				    ns->nsid, le64_to_cpu(d->zslba), d->zt);
		return -EIO;
	}
	zone.type = BLK_ZONE_TYPE_SEQWRITE_REQ;
	zone.cond = d->zs >> 4;
	zone.len = ns->zi.zone_sectors;
	zone.start = lnvme_zoned_lba_to_sect(ns, le64_to_cpu(d->zslba));
	zone.capacity = lnvme_zoned_lba_to_sect(ns, le64_to_cpu(d->zcap));
	if (zone.cond == BLK_ZONE_COND_FULL)
		zone.wp = zone.start + zone.len;
	else
		zone.wp = lnvme_zoned_lba_to_sect(ns, le64_to_cpu(d->wp));
	return cb(&zone, idx, data);
}

/* block_device_operations.report_zones. */
int lnvme_zoned_report(struct gendisk *disk, sector_t sector,
		       unsigned int nr_zones, report_zones_cb cb, void *data)
{
	struct lnvme_ns *ns = disk->private_data;
	struct nvme_zone_report *report;
	struct nvme_command c = { };
	unsigned int max, nz, i, idx = 0;
	size_t len;
	int ret = 0;

	if (ns->hidden || ns->csi != NVME_CSI_ZNS)
		return -EOPNOTSUPP;
	report = lnvme_zoned_report_buf(ns, nr_zones, &len);
	if (!report)
		return -ENOMEM;
	max = (len - sizeof(*report)) / sizeof(report->entries[0]);

	c.zmr.opcode = nvme_cmd_zone_mgmt_recv;
	c.zmr.nsid = cpu_to_le32(ns->nsid);
	c.zmr.numd = cpu_to_le32(len / sizeof(u32) - 1);
	c.zmr.zra = NVME_ZRA_ZONE_REPORT;
	c.zmr.zrasf = NVME_ZRASF_ZONE_REPORT_ALL;
	c.zmr.pr = NVME_REPORT_ZONE_PARTIAL;

	sector = round_down(sector, ns->zi.zone_sectors);
	while (idx < nr_zones && sector < get_capacity(disk)) {
		memset(report, 0, len);
		c.zmr.slba = cpu_to_le64(lnvme_zoned_sect_to_lba(ns, sector));
		ret = lnvme_zoned_recv(ns, &c, report, len);
		if (ret)
			goto out;
		nz = min_t(u64, le64_to_cpu(report->nr_zones), max);
		nz = min(nz, nr_zones - idx);
		if (!nz)
			break;
		for (i = 0; i < nz; i++, idx++) {
			ret = lnvme_zoned_parse(ns, &report->entries[i], idx,
						cb, data);
			if (ret)
				goto out;
		}
		sector += ns->zi.zone_sectors * nz;
	}
	ret = idx ? idx : -EIO;
out:
	kvfree(report);
	return ret;
}

/* Zone Management Send for REQ_OP_ZONE_{RESET,RESET_ALL,OPEN,CLOSE,FINISH}. */
blk_status_t lnvme_zoned_setup_cmd(struct lnvme_ns *ns, struct request *req,
				   struct nvme_command *c)
{
	switch (req_op(req)) {
	case REQ_OP_ZONE_RESET_ALL:
		c->zms.select_all = 1;
		fallthrough;
	case REQ_OP_ZONE_RESET:
		c->zms.zsa = NVME_ZONE_RESET;
		break;
	case REQ_OP_ZONE_OPEN:
		c->zms.zsa = NVME_ZONE_OPEN;
		break;
	case REQ_OP_ZONE_CLOSE:
		c->zms.zsa = NVME_ZONE_CLOSE;
		break;
	case REQ_OP_ZONE_FINISH:
		c->zms.zsa = NVME_ZONE_FINISH;
		break;
	default:
		return BLK_STS_NOTSUPP;
	}
	c->zms.opcode = nvme_cmd_zone_mgmt_send;
	c->zms.nsid = cpu_to_le32(ns->nsid);
	if (!c->zms.select_all)
		c->zms.slba = cpu_to_le64(lnvme_zoned_sect_to_lba(ns, blk_rq_pos(req)));
	return BLK_STS_OK;
}
