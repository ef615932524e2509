// SPDX-License-Identifier: GPL-2.0
/*
 * Admin commands.  Each goes through the admin queue's blk-mq tag set as a
 * driver-private request, so it shares the data mapping and completion code
 * of the I/O path, and its timeout handling.
 */
#include "../lnvme.h"

/*
 * The outcome of a finished driver-private request (an admin command, or
 * passthrough on any queue), as lnvme.h describes it.  A request that
 * lnvme_cancel_requests() ended carries the host-made status Host Aborted:
 * the controller said nothing, so it becomes an errno.  Any context.
 */
int lnvme_rq_result(struct lnvme_ctrl *ctrl, struct request *req,
		    blk_status_t sts)
{
	u16 status = lnvme_iod(req)->status;

	if ((status & NVME_SCT_SC_MASK) == NVME_SC_HOST_ABORTED_CMD) {
		if (req->rq_flags & RQF_TIMED_OUT)
			return -ETIMEDOUT;
		switch (lnvme_ctrl_state(ctrl)) {
		case LNVME_STATE_DELETING:
		case LNVME_STATE_DEAD:
			return -ENODEV;
		default:
			return -EINTR;
		}
	}
	if (status)
		return status;
	return blk_status_to_errno(sts);
}

/*
 * Run one command with a kernel buffer on queue @q and wait for it: 0, a
 * positive NVMe status from the controller, or a negative errno when the
 * host got no answer (the contract is in lnvme.h).  @timeout in jiffies,
 * 0 for the queue's own.
 */
int lnvme_queue_exec(struct lnvme_ctrl *ctrl, struct request_queue *q,
		     struct nvme_command *cmd, void *buf, unsigned int len,
		     u32 *result, unsigned int timeout)
{
	enum req_op op = nvme_is_write(cmd) ? REQ_OP_DRV_OUT : REQ_OP_DRV_IN;
	struct lnvme_iod *iod;
	struct request *req;
	blk_status_t sts;
	int ret;

	req = blk_mq_alloc_request(q, op, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	if (timeout)
		req->timeout = timeout;
	iod = lnvme_iod(req);
	iod->cmd = *cmd;
	iod->status = 0;
	iod->result.u64 = 0;

	if (buf && len) {
		ret = blk_rq_map_kern(req, buf, len, GFP_KERNEL);
		if (ret)
			goto out;
	}

	sts = blk_execute_rq(req, false);
	ret = lnvme_rq_result(ctrl, req, sts);
	if (result)
		*result = le32_to_cpu(iod->result.u32);
out:
	blk_mq_free_request(req);
	return ret;
}

/* Run one admin command and wait for it (see lnvme_queue_exec()). */
int lnvme_admin_exec(struct lnvme_ctrl *ctrl, struct nvme_command *cmd,
		     void *buf, unsigned int len, u32 *result)
{
	return lnvme_queue_exec(ctrl, ctrl->admin_q, cmd, buf, len, result,
				lnvme_admin_timeout * HZ);
}

/*
 * Log "<message>: <errno name>" or "<message>: NVMe status <hex>" for the
 * return value @ret of lnvme_admin_exec(), at @level (KERN_ERR, ...).
 * Rate-limited: rescans asked for in a loop while resets cancel them
 * would otherwise flood the log.
 */
void lnvme_admin_log(struct lnvme_ctrl *ctrl, const char *level, int ret,
		     const char *fmt, ...)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (ret < 0)
		dev_printk(level, ctrl->dev, "%pV: %pe\n", &vaf, ERR_PTR(ret));
	else
		dev_printk(level, ctrl->dev, "%pV: NVMe status %#x\n", &vaf,
			   ret);
	va_end(args);
}

int lnvme_identify(struct lnvme_ctrl *ctrl, u8 cns, u32 nsid, void *buf)
{
	struct nvme_command c = { };

	c.identify.opcode = nvme_admin_identify;
	c.identify.nsid = cpu_to_le32(nsid);
	c.identify.cns = cns;
	return lnvme_admin_exec(ctrl, &c, buf, NVME_IDENTIFY_DATA_SIZE, NULL);
}

/* Set Features with a value in dword 11 and no data. */
static int lnvme_set_features(struct lnvme_ctrl *ctrl, u8 fid, u32 val,
			      u32 *result)
{
	struct nvme_command c = { };

	c.features.opcode = nvme_admin_set_features;
	c.features.fid = cpu_to_le32(fid);
	c.features.dword11 = cpu_to_le32(val);
	return lnvme_admin_exec(ctrl, &c, NULL, 0, result);
}

/*
 * Ask for *count I/O queue pairs; on return *count holds what the
 * controller granted (the smaller of its SQ and CQ allowances).
 */
int lnvme_set_queue_count(struct lnvme_ctrl *ctrl, unsigned int *count)
{
	u32 want = *count - 1;
	u32 result;
	int ret;

	ret = lnvme_set_features(ctrl, NVME_FEAT_NUM_QUEUES, want | want << 16,
				 &result);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_ERR, ret,
				"Set Features (Number of Queues) failed");
		return lnvme_admin_errno(ret);
	}
	*count = min(result & 0xffff, result >> 16) + 1;
	return 0;
}

static int lnvme_create_cq(struct lnvme_queue *nq)
{
	struct nvme_command c = { };
	u16 flags = NVME_QUEUE_PHYS_CONTIG;

	if (nq->vector >= 0)
		flags |= NVME_CQ_IRQ_ENABLED;
	c.create_cq.opcode = nvme_admin_create_cq;
	c.create_cq.prp1 = cpu_to_le64(nq->cq_dma);
	c.create_cq.cqid = cpu_to_le16(nq->qid);
	c.create_cq.qsize = cpu_to_le16(nq->depth - 1);
	c.create_cq.cq_flags = cpu_to_le16(flags);
	c.create_cq.irq_vector = cpu_to_le16(max_t(s16, nq->vector, 0));
	return lnvme_admin_exec(nq->ctrl, &c, NULL, 0, NULL);
}

static int lnvme_create_sq(struct lnvme_queue *nq)
{
	struct nvme_command c = { };

	c.create_sq.opcode = nvme_admin_create_sq;
	c.create_sq.prp1 = cpu_to_le64(nq->sq_dma);
	c.create_sq.sqid = cpu_to_le16(nq->qid);
	c.create_sq.qsize = cpu_to_le16(nq->depth - 1);
	c.create_sq.sq_flags = cpu_to_le16(NVME_QUEUE_PHYS_CONTIG |
					   NVME_SQ_PRIO_MEDIUM);
	c.create_sq.cqid = cpu_to_le16(nq->qid);
	return lnvme_admin_exec(nq->ctrl, &c, NULL, 0, NULL);
}

static int lnvme_delete_queue(struct lnvme_ctrl *ctrl, u8 opcode, u16 qid)
{
	struct nvme_command c = { };

	c.delete_queue.opcode = opcode;
	c.delete_queue.qid = cpu_to_le16(qid);
	return lnvme_admin_exec(ctrl, &c, NULL, 0, NULL);
}

/* Create the CQ, then the SQ that completes into it. */
int lnvme_create_io_queue(struct lnvme_queue *nq)
{
	int ret;

	lnvme_queue_reset(nq);
	ret = lnvme_create_cq(nq);
	if (ret)
		goto err;
	ret = lnvme_create_sq(nq);
	if (ret) {
		lnvme_delete_queue(nq->ctrl, nvme_admin_delete_cq, nq->qid);
		goto err;
	}
	nq->created = true;
	return 0;
err:
	lnvme_admin_log(nq->ctrl, KERN_ERR, ret, "cannot create I/O queue %u",
			nq->qid);
	return lnvme_admin_errno(ret);
}

/* Delete the SQ, then its CQ; lnvme_admin_exec()'s return value. */
int lnvme_delete_io_queue(struct lnvme_queue *nq)
{
	int ret;

	if (!nq->created)
		return 0;
	nq->created = false;
	ret = lnvme_delete_queue(nq->ctrl, nvme_admin_delete_sq, nq->qid);
	if (!ret)
		ret = lnvme_delete_queue(nq->ctrl, nvme_admin_delete_cq, nq->qid);
	return ret;
}

/*
 * Interrupt coalescing (Set Features 0x08), when asked for.  Controllers may
 * refuse it (QEMU answers Feature Not Changeable); lnvme then says so and
 * carries on without it.
 */
void lnvme_set_irq_coalescing(struct lnvme_ctrl *ctrl)
{
	u32 val = lnvme_irq_coalesce_thr | lnvme_irq_coalesce_time << 8;
	int ret;

	if (!val)
		return;
	ret = lnvme_set_features(ctrl, NVME_FEAT_IRQ_COALESCE, val, NULL);
	if (ret > 0 && (ret & NVME_SCT_SC_MASK) == NVME_SC_FEATURE_NOT_CHANGEABLE)
		dev_warn(ctrl->dev, "interrupt coalescing not set: the controller says the feature is not changeable; continuing without it\n");
	else if (ret)
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"interrupt coalescing not set, continuing without it");
	else
		dev_info(ctrl->dev, "interrupt coalescing: %u completions or %u00 us\n",
			 lnvme_irq_coalesce_thr + 1, lnvme_irq_coalesce_time);
}

/*
 * Ask for the events lnvme acts on (Set Features 0x0b): every SMART / Health
 * critical warning (logged, hw/events.c) and, when offered, namespace
 * attribute changes, which trigger a rescan.
 */
void lnvme_set_aen_config(struct lnvme_ctrl *ctrl)
{
	u32 val = (ctrl->oaes & NVME_AEN_CFG_NS_ATTR) | LNVME_SMART_EVENTS;
	int ret;

	ret = lnvme_set_features(ctrl, NVME_FEAT_ASYNC_EVENT, val, NULL);
	if (ret)
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"Async Event Configuration not set, no health warnings and namespace changes need a manual rescan");
}
