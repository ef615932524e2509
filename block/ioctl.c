// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe ioctls of <linux/nvme_ioctl.h>, on the controller node, the
 * block devices and the generic namespace nodes.
 *
 * Passthrough commands are driver-private blk-mq requests: admin commands
 * on the admin queue, I/O commands on the namespace's queue, so they share
 * the data mapping, timeouts and recovery of file system I/O.  User
 * buffers are mapped with blk_rq_map_user(); bounce pages are zeroed, so a
 * short transfer never returns stale kernel memory.  A metadata buffer, on
 * a namespace with separate metadata, becomes the request's integrity
 * payload (blk_rq_integrity_map_user(), block/integrity.c), mapped into
 * the metadata pointer with the data.
 */
#include <linux/blkdev.h>
#include <linux/nvme_ioctl.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include "../lnvme.h"

/*
 * Admin commands, and every I/O command but a read from a node opened for
 * reading, need CAP_SYS_ADMIN.
 */
bool lnvme_cmd_allowed(struct lnvme_ns *ns, u8 opcode, bool read_open)
{
	if (capable(CAP_SYS_ADMIN))
		return true;
	return ns && opcode == nvme_cmd_read && read_open;
}

/*
 * The bytes a command moves, where the driver knows it from the command
 * itself; 0 where it does not (vendor and most other opcodes, which only
 * CAP_SYS_ADMIN may send).  Negative: refused outright.
 */
static s64 lnvme_user_xfer_need(struct request_queue *q,
				const struct nvme_command *c)
{
	struct lnvme_ns *ns = q->queuedata;
	u64 block;
	u32 dw;

	if (!ns) {
		switch (c->common.opcode) {
		case nvme_admin_identify:
			return NVME_IDENTIFY_DATA_SIZE;
		case nvme_admin_get_log_page:
			dw = (le32_to_cpu(c->common.cdw10) >> 16) |
			     (le32_to_cpu(c->common.cdw11) & 0xffff) << 16;
			return ((s64)dw + 1) * 4;
		default:
			return 0;
		}
	}
	switch (c->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
		block = lnvme_ns_block_bytes(ns);
		/* With PRACT, 8 bytes of PI are made or stripped, not moved. */
		if (ns->pi_only &&
		    (le16_to_cpu(c->rw.control) & NVME_RW_PRINFO_PRACT))
			block = block ? 1ULL << ns->lba_shift : 0;
		if (!block)
			return -1;
		return ((s64)le16_to_cpu(c->rw.length) + 1) * block;
	default:
		return 0;
	}
}

/* Whether the namespace keeps its metadata in a buffer of its own. */
static bool lnvme_ns_separate_meta(struct lnvme_ns *ns)
{
	return ns && ns->ms && !ns->ext && !ns->hidden;
}

/*
 * The bytes of separate metadata a read, write or compare moves through
 * the metadata pointer: none with PRACT on 8 bytes of PI (the controller
 * makes or strips them), and none for other opcodes, whose metadata the
 * driver does not know (only CAP_SYS_ADMIN sends them).
 */
static u64 lnvme_user_meta_need(struct lnvme_ns *ns,
				const struct nvme_command *c)
{
	if (!lnvme_ns_separate_meta(ns))
		return 0;
	switch (c->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
		break;
	default:
		return 0;
	}
	if (ns->pi_only && (le16_to_cpu(c->rw.control) & NVME_RW_PRINFO_PRACT))
		return 0;
	return ((u64)le16_to_cpu(c->rw.length) + 1) * ns->ms;
}

/*
 * A read, write, compare, Identify or Get Log Page whose buffer (@have
 * bytes) is smaller than what the controller will transfer is refused:
 * the controller would run past the buffer's PRP or SGL entries into
 * memory nobody gave it.  So is a read, write or compare with separate
 * metadata whose metadata buffer (@meta_have bytes) is smaller than NLB x
 * ms (without one the metadata pointer would be 0), and a metadata buffer
 * where the namespace has no separate metadata or the command no data.
 * Checked before the buffers are mapped, so a refused read leaves the
 * caller's buffers alone.
 */
int lnvme_user_xfer_check(struct lnvme_ctrl *ctrl, struct request_queue *q,
			  const struct nvme_command *c, u64 have,
			  u64 meta_have)
{
	struct lnvme_ns *ns = q->queuedata;
	s64 need = lnvme_user_xfer_need(q, c);
	u64 meta_need;

	if (need < 0) {
		dev_warn_ratelimited(ctrl->dev, "passthrough opcode %#x: unknown LBA format, refused\n",
				     c->common.opcode);
		return -EINVAL;
	}
	if (need > have) {
		dev_warn_ratelimited(ctrl->dev, "passthrough opcode %#x moves %lld bytes, the buffer has %llu\n",
				     c->common.opcode, need, have);
		return -EINVAL;
	}
	if (meta_have && (!lnvme_ns_separate_meta(ns) || !have)) {
		dev_warn_ratelimited(ctrl->dev, "passthrough opcode %#x: a metadata buffer needs a data buffer and a namespace with separate metadata\n",
				     c->common.opcode);
		return -EINVAL;
	}
	meta_need = lnvme_user_meta_need(ns, c);
	if (meta_need > meta_have) {
		dev_warn_ratelimited(ctrl->dev, "passthrough opcode %#x moves %llu bytes of metadata, the metadata buffer has %llu\n",
				     c->common.opcode, meta_need, meta_have);
		return -EINVAL;
	}
	return 0;
}

static int lnvme_submit_user(struct lnvme_ctrl *ctrl, struct request_queue *q,
			     struct nvme_command *c, u64 ubuf, u32 len,
			     u64 meta, u32 meta_len, u32 timeout_ms,
			     u64 *result)
{
	struct lnvme_iod *iod;
	struct request *req;
	struct bio *bio = NULL;
	blk_status_t sts;
	int ret;

	if (len > ctrl->max_hw_sectors << SECTOR_SHIFT) {
		dev_warn_ratelimited(ctrl->dev, "passthrough of %u bytes exceeds the %u byte limit\n",
				     len, ctrl->max_hw_sectors << SECTOR_SHIFT);
		return -EINVAL;
	}
	if ((c->common.opcode & 3) == 3 && len)
		return -EINVAL;	/* bidirectional data: not supported */
	ret = lnvme_user_xfer_check(ctrl, q, c, len, meta_len);
	if (ret)
		return ret;

	req = blk_mq_alloc_request(q, nvme_is_write(c) ? REQ_OP_DRV_OUT :
				   REQ_OP_DRV_IN, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	iod = lnvme_iod(req);
	iod->cmd = *c;
	iod->status = 0;
	iod->result.u64 = 0;
	if (timeout_ms)
		req->timeout = msecs_to_jiffies(timeout_ms);

	if (len) {
		ret = blk_rq_map_user(q, req, NULL, u64_to_user_ptr(ubuf), len,
				      GFP_KERNEL | __GFP_ZERO);
		if (ret)
			goto out;
		bio = req->bio;
	}
	if (meta_len) {
		ret = lnvme_map_user_meta(req, q->disk, meta, meta_len);
		if (ret)
			goto unmap;
	}
	sts = blk_execute_rq(req, false);
	ret = lnvme_rq_result(ctrl, req, sts);
	*result = le64_to_cpu(iod->result.u64);
unmap:
	/* Also gives back the metadata buffer, copied out for reads. */
	if (bio && blk_rq_unmap_user(bio) && !ret)
		ret = -EFAULT;
out:
	blk_mq_free_request(req);
	return ret;
}

/* Admin commands that may change namespace formats or the namespace set. */
static bool lnvme_admin_changes_ns(u8 opcode)
{
	switch (opcode) {
	case nvme_admin_format_nvm:
	case nvme_admin_ns_mgmt:
	case nvme_admin_ns_attach:
	case nvme_admin_sanitize_nvm:
		return true;
	default:
		return false;
	}
}

/*
 * Such a command runs with every namespace queue frozen, and the namespaces
 * are rescanned before I/O resumes and before the ioctl returns.  All of
 * it under scan_lock, so that no scan adds a namespace (whose queue would
 * not be frozen) meanwhile; the queues are frozen outside ns_lock.
 */
static int lnvme_submit_admin_user(struct lnvme_ctrl *ctrl,
				   struct nvme_command *c, u64 ubuf, u32 len,
				   u32 timeout_ms, u64 *result)
{
	struct gendisk **frozen;
	unsigned int noio;
	int ret;

	if (!lnvme_admin_changes_ns(c->common.opcode))
		return lnvme_submit_user(ctrl, ctrl->admin_q, c, ubuf, len, 0,
					 0, timeout_ms, result);
	mutex_lock(&ctrl->scan_lock);
	frozen = lnvme_ns_freeze_all(ctrl, true);
	if (!frozen) {
		ret = -ENOMEM;
		goto unlock;
	}
	/* No reclaim may write to the frozen disks: it would wait for us. */
	noio = memalloc_noio_save();
	ret = lnvme_submit_user(ctrl, ctrl->admin_q, c, ubuf, len, 0, 0,
				timeout_ms, result);
	lnvme_ns_scan_locked(ctrl);
	memalloc_noio_restore(noio);
	lnvme_ns_unfreeze_all(frozen);
unlock:
	mutex_unlock(&ctrl->scan_lock);
	return ret;
}

/*
 * The disk an I/O command goes to: the node's own namespace, or on the
 * controller node the namespace named by @nsid (one whose disk is live).
 * Returned with a reference, and without ns_lock held while the command
 * runs: nothing that waits for I/O may hold ns_lock (lnvme.h).
 */
static struct gendisk *lnvme_io_disk(struct lnvme_ctrl *ctrl,
				     struct lnvme_ns *ns, u32 nsid)
{
	struct gendisk *disk = NULL;
	struct lnvme_ns *each;

	if (ns) {
		if (nsid != ns->nsid)
			return NULL;
		disk = ns->disk;
	} else {
		mutex_lock(&ctrl->ns_lock);
		list_for_each_entry(each, &ctrl->namespaces, entry)
			if (each->nsid == nsid && each->added)
				disk = each->disk;
		if (disk)
			get_device(disk_to_dev(disk));
		mutex_unlock(&ctrl->ns_lock);
		return disk;
	}
	get_device(disk_to_dev(disk));
	return disk;
}

static int lnvme_passthru(struct lnvme_ctrl *ctrl, struct lnvme_ns *ns,
			  void __user *argp, bool is64, bool io,
			  bool read_open)
{
	struct nvme_passthru_cmd64 cmd = { };
	struct nvme_command c = { };
	u64 result = 0;
	int ret;

	if (copy_from_user(&cmd, argp, is64 ? sizeof(cmd) :
			   sizeof(struct nvme_passthru_cmd)))
		return -EFAULT;
	if (!lnvme_cmd_allowed(io ? ns : NULL, cmd.opcode, read_open))
		return -EACCES;
	if (cmd.flags) {
		dev_warn_ratelimited(ctrl->dev, "passthrough: flags are not supported\n");
		return -EINVAL;
	}
	if (!cmd.metadata)
		cmd.metadata_len = 0;
	if (cmd.metadata_len && !io) {
		dev_warn_ratelimited(ctrl->dev, "passthrough: admin commands take no metadata buffer\n");
		return -EINVAL;
	}

	c.common.opcode = cmd.opcode;
	c.common.nsid = cpu_to_le32(cmd.nsid);
	c.common.cdw2[0] = cpu_to_le32(cmd.cdw2);
	c.common.cdw2[1] = cpu_to_le32(cmd.cdw3);
	c.common.cdw10 = cpu_to_le32(cmd.cdw10);
	c.common.cdw11 = cpu_to_le32(cmd.cdw11);
	c.common.cdw12 = cpu_to_le32(cmd.cdw12);
	c.common.cdw13 = cpu_to_le32(cmd.cdw13);
	c.common.cdw14 = cpu_to_le32(cmd.cdw14);
	c.common.cdw15 = cpu_to_le32(cmd.cdw15);

	if (io) {
		struct gendisk *disk = lnvme_io_disk(ctrl, ns, cmd.nsid);

		if (!disk)
			return -EINVAL;
		ret = lnvme_submit_user(ctrl, disk->queue, &c, cmd.addr,
					cmd.data_len, cmd.metadata,
					cmd.metadata_len, cmd.timeout_ms,
					&result);
		put_device(disk_to_dev(disk));
	} else {
		ret = lnvme_submit_admin_user(ctrl, &c, cmd.addr, cmd.data_len,
					      cmd.timeout_ms, &result);
	}
	if (ret < 0)
		return ret;

	if (is64) {
		if (put_user(result, &((struct nvme_passthru_cmd64 __user *)argp)->result))
			return -EFAULT;
	} else if (put_user((u32)result,
			    &((struct nvme_passthru_cmd __user *)argp)->result)) {
		return -EFAULT;
	}
	return ret;
}

/* NVME_IOCTL_SUBMIT_IO: read, write or compare on this namespace. */
static int lnvme_submit_io(struct lnvme_ns *ns, struct nvme_user_io __user *uio,
			   bool read_open)
{
	struct lnvme_ctrl *ctrl = ns->ctrl;
	struct nvme_command c = { };
	struct nvme_user_io io;
	u64 result;
	u64 len, meta_len = 0;

	if (copy_from_user(&io, uio, sizeof(io)))
		return -EFAULT;
	if (io.flags)
		return -EINVAL;
	switch (io.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
		break;
	default:
		return -EINVAL;
	}
	if (!lnvme_cmd_allowed(ns, io.opcode, read_open))
		return -EACCES;
	len = ((u64)io.nblocks + 1) * lnvme_ns_block_bytes(ns);
	if (!len || len > U32_MAX)
		return -EINVAL;
	/* Separate metadata: NLB x ms at io.metadata, as the data is sized. */
	if (io.metadata && lnvme_ns_separate_meta(ns))
		meta_len = ((u64)io.nblocks + 1) * ns->ms;
	else if (io.metadata)
		return -EINVAL;
	if (meta_len > U32_MAX)
		return -EINVAL;

	c.rw.opcode = io.opcode;
	c.rw.nsid = cpu_to_le32(ns->nsid);
	c.rw.slba = cpu_to_le64(io.slba);
	c.rw.length = cpu_to_le16(io.nblocks);
	c.rw.control = cpu_to_le16(io.control);
	c.rw.dsmgmt = cpu_to_le32(io.dsmgmt);
	c.rw.reftag = cpu_to_le32(io.reftag);
	c.rw.lbat = cpu_to_le16(io.apptag);
	c.rw.lbatm = cpu_to_le16(io.appmask);

	return lnvme_submit_user(ctrl, ns->disk->queue, &c, io.addr, len,
				 io.metadata, meta_len, 0, &result);
}

static int lnvme_ioctl_locked(struct lnvme_ctrl *ctrl, struct lnvme_ns *ns,
			      unsigned int cmd, void __user *argp,
			      bool read_open)
{
	switch (cmd) {
	case NVME_IOCTL_ID:
		return ns ? ns->nsid : -ENOTTY;
	case NVME_IOCTL_ADMIN_CMD:
		return lnvme_passthru(ctrl, ns, argp, false, false, read_open);
	case NVME_IOCTL_ADMIN64_CMD:
		return lnvme_passthru(ctrl, ns, argp, true, false, read_open);
	case NVME_IOCTL_IO_CMD:
		return lnvme_passthru(ctrl, ns, argp, false, true, read_open);
	case NVME_IOCTL_IO64_CMD:
		return lnvme_passthru(ctrl, ns, argp, true, true, read_open);
	case NVME_IOCTL_SUBMIT_IO:
		return ns ? lnvme_submit_io(ns, argp, read_open) : -ENOTTY;
	case NVME_IOCTL_RESET:
		if (!capable(CAP_SYS_ADMIN))
			return -EACCES;
		return lnvme_reset_sync(ctrl);
	case NVME_IOCTL_RESCAN:
		if (!capable(CAP_SYS_ADMIN))
			return -EACCES;
		return lnvme_ns_scan(ctrl);
	case NVME_IOCTL_SUBSYS_RESET:
		dev_info_ratelimited(ctrl->dev, "NVM subsystem reset is not supported\n");
		return -ENOTTY;
	default:
		return -ENOTTY;
	}
}

/* Entry point for all nodes: @ns is NULL on the controller node. */
long lnvme_ioctl(struct lnvme_ctrl *ctrl, struct lnvme_ns *ns,
		 unsigned int cmd, void __user *argp, bool read_open)
{
	long ret;

	down_read(&ctrl->teardown_rwsem);
	/*
	 * A namespace removed by a rescan (a format to a format that gains or
	 * loses the block device re-creates it) still lets its open files ask
	 * for a rescan, as nvme-cli does right after the format.
	 */
	if (ctrl->removing ||
	    (ns && READ_ONCE(ns->removed) && cmd != NVME_IOCTL_RESCAN))
		ret = -ENODEV;
	else
		ret = lnvme_ioctl_locked(ctrl, ns, cmd, argp, read_open);
	up_read(&ctrl->teardown_rwsem);
	return ret;
}
