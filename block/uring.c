// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring passthrough on the generic namespace node: NVME_URING_CMD_IO
 * (data_len bytes at addr) and NVME_URING_CMD_IO_VEC (addr points to
 * data_len struct iovec), completed asynchronously through task work, and
 * polled when the ring was set up with IORING_SETUP_IOPOLL (the request
 * then goes to a POLL queue, which uring_cmd_iopoll polls).
 */
#include <linux/nvme_ioctl.h>
#include "../lnvme.h"

/*
 * The command's state, in io_uring_cmd's pdu (32 bytes).
 *
 * Completion always goes through io_uring task work: end_io (any context:
 * the interrupt handler, a poller of the poll queue holding its cq_lock, or
 * another ring's poller in another task) only records the outcome and
 * queues lnvme_uring_task_cb(), which unmaps the user buffer (it may sleep,
 * and copies bounce buffers into the submitter's memory) and completes the
 * command, in the submitting task.  For an IOPOLL ring, io_uring_cmd_done()
 * then marks the command done, and the ring's poll loop (which runs the
 * task's pending task work between polls) reaps it.
 *
 * The request is freed at end_io: keeping it until the task work runs
 * would let a task that stops reaping hold a tag and stall the queue
 * freezes of resets.  But uring_cmd_iopoll may be using it in another task
 * at that moment, and a freed request must not reach blk_rq_poll() (its
 * mq_hctx is cleared on free; its memory goes when the tag set shrinks).
 * @state settles who frees it, each side setting its bit with one fully
 * ordered atomic read-modify-write and testing the other's:
 *  - LNVME_URING_POLLING, set by the poller while it may touch @req: an
 *    end_io that finds it leaves the request to the poller, which frees it
 *    when it clears POLLING and finds ENDED;
 *  - LNVME_URING_ENDED, set by end_io: a poller that finds it does not
 *    touch @req at all.
 * @bio, @result and @status are written by end_io before the task work is
 * queued and read only by the task work.
 */
struct lnvme_uring_pdu {
	struct request	*req;
	struct bio	*bio;	/* req->bio is gone by completion time */
	u64		result;
	int		status;
	atomic_t	state;
};

#define LNVME_URING_POLLING	BIT(0)
#define LNVME_URING_ENDED	BIT(1)

static struct lnvme_uring_pdu *lnvme_uring_pdu(struct io_uring_cmd *ioucmd)
{
	return io_uring_cmd_to_pdu(ioucmd, struct lnvme_uring_pdu);
}

/* Task work, in the submitting task (or io_uring's fallback worker). */
void lnvme_uring_task_cb(struct io_tw_req tw_req, io_tw_token_t tw)
{
	struct io_uring_cmd *ioucmd = io_uring_cmd_from_tw(tw_req);
	struct lnvme_uring_pdu *pdu = lnvme_uring_pdu(ioucmd);

	/* A read's data that cannot reach the user is not a success. */
	if (pdu->bio && blk_rq_unmap_user(pdu->bio) && !pdu->status)
		pdu->status = -EFAULT;
	io_uring_cmd_done32(ioucmd, pdu->status, pdu->result,
			    IO_URING_CMD_TASK_WORK_ISSUE_FLAGS);
}

enum rq_end_io_ret lnvme_uring_end_io(struct request *req, blk_status_t err,
				      const struct io_comp_batch *iob)
{
	struct io_uring_cmd *ioucmd = req->end_io_data;
	struct lnvme_uring_pdu *pdu = lnvme_uring_pdu(ioucmd);
	struct lnvme_iod *iod = lnvme_iod(req);
	int old;

	pdu->status = lnvme_rq_result(req->q->tag_set->driver_data, req, err);
	pdu->result = le64_to_cpu(iod->result.u64);
	old = atomic_fetch_or(LNVME_URING_ENDED, &pdu->state);
	/*
	 * Never complete here, not even when polled: this may be another
	 * ring's poller, under the queue's cq_lock.  pdu->req is not used
	 * after this point by anyone but a poller that owns it.
	 */
	io_uring_cmd_do_in_task_lazy(ioucmd, lnvme_uring_task_cb);
	return old & LNVME_URING_POLLING ? RQ_END_IO_NONE : RQ_END_IO_FREE;
}

/*
 * NVME_URING_CMD_IO_VEC: @addr is a user array of @nr_segs struct iovec.
 * The array is bounded by the queue's segment limit (each non-empty iovec
 * is at least one segment); its byte total is known once it is imported,
 * before anything is mapped.  On success @iov is the array to kfree()
 * once the iovecs are mapped (NULL if @iov's fast array was enough).
 */
static int lnvme_uring_import_vec(struct lnvme_ns *ns, int dir, u64 addr,
				  u32 nr_segs, struct iovec **iov,
				  struct iov_iter *iter)
{
	struct request_queue *q = ns->disk->queue;
	ssize_t total;

	if (nr_segs > queue_max_segments(q)) {
		dev_warn_ratelimited(ns->ctrl->dev, "passthrough with %u iovecs exceeds the %u segment limit\n",
				     nr_segs, queue_max_segments(q));
		return -EINVAL;
	}
	total = import_iovec(dir, u64_to_user_ptr(addr), nr_segs, UIO_FASTIOV,
			     iov, iter);
	if (total < 0) {
		dev_warn_ratelimited(ns->ctrl->dev, "passthrough iovec array of %u entries refused: %zd\n",
				     nr_segs, total);
		return total;
	}
	return 0;
}

static int lnvme_uring_submit(struct lnvme_ns *ns, struct io_uring_cmd *ioucmd,
			      unsigned int issue_flags, bool vec)
{
	const struct nvme_uring_cmd *ucmd =
		io_uring_sqe128_cmd(ioucmd->sqe, struct nvme_uring_cmd);
	struct lnvme_uring_pdu *pdu = lnvme_uring_pdu(ioucmd);
	struct iovec fast_iov[UIO_FASTIOV], *iov = NULL;
	struct request_queue *q = ns->disk->queue;
	struct lnvme_ctrl *ctrl = ns->ctrl;
	blk_mq_req_flags_t blk_flags = 0;
	struct nvme_command c = { };
	struct iov_iter iter;
	struct request *req;
	struct lnvme_iod *iod;
	u32 len, timeout_ms, meta_len;
	u64 addr, bytes, meta;
	blk_opf_t opf;
	int ret;

	/* The SQE is shared with user space: read every field once. */
	c.common.opcode = READ_ONCE(ucmd->opcode);
	c.common.nsid = cpu_to_le32(READ_ONCE(ucmd->nsid));
	c.common.cdw2[0] = cpu_to_le32(READ_ONCE(ucmd->cdw2));
	c.common.cdw2[1] = cpu_to_le32(READ_ONCE(ucmd->cdw3));
	c.common.cdw10 = cpu_to_le32(READ_ONCE(ucmd->cdw10));
	c.common.cdw11 = cpu_to_le32(READ_ONCE(ucmd->cdw11));
	c.common.cdw12 = cpu_to_le32(READ_ONCE(ucmd->cdw12));
	c.common.cdw13 = cpu_to_le32(READ_ONCE(ucmd->cdw13));
	c.common.cdw14 = cpu_to_le32(READ_ONCE(ucmd->cdw14));
	c.common.cdw15 = cpu_to_le32(READ_ONCE(ucmd->cdw15));
	addr = READ_ONCE(ucmd->addr);
	len = READ_ONCE(ucmd->data_len);	/* bytes, or iovecs if @vec */
	timeout_ms = READ_ONCE(ucmd->timeout_ms);
	meta = READ_ONCE(ucmd->metadata);
	meta_len = meta ? READ_ONCE(ucmd->metadata_len) : 0;

	if (!lnvme_cmd_allowed(ns, c.common.opcode,
			       ioucmd->file->f_mode & FMODE_READ))
		return -EACCES;
	if (READ_ONCE(ucmd->flags) || (ioucmd->flags & IORING_URING_CMD_FIXED))
		return -EINVAL;
	if (le32_to_cpu(c.common.nsid) != ns->nsid ||
	    ((c.common.opcode & 3) == 3 && len))
		return -EINVAL;

	bytes = addr ? len : 0;
	if (vec && bytes) {
		iov = fast_iov;
		ret = lnvme_uring_import_vec(ns, nvme_is_write(&c) ?
					     ITER_SOURCE : ITER_DEST,
					     addr, len, &iov, &iter);
		if (ret)
			return ret;
		bytes = iov_iter_count(&iter);
	}
	ret = -EINVAL;
	if (bytes > ctrl->max_hw_sectors << SECTOR_SHIFT) {
		dev_warn_ratelimited(ctrl->dev, "passthrough of %llu bytes exceeds the %u byte limit\n",
				     bytes, ctrl->max_hw_sectors << SECTOR_SHIFT);
		goto free_iov;
	}
	/* Before mapping: a refused read leaves the user's buffer alone. */
	ret = lnvme_user_xfer_check(ctrl, q, &c, bytes, meta_len);
	if (ret)
		goto free_iov;

	opf = nvme_is_write(&c) ? REQ_OP_DRV_OUT : REQ_OP_DRV_IN;
	if (issue_flags & IO_URING_F_NONBLOCK) {
		opf |= REQ_NOWAIT;
		blk_flags |= BLK_MQ_REQ_NOWAIT;
	}
	if (issue_flags & IO_URING_F_IOPOLL)
		opf |= REQ_POLLED;

	req = blk_mq_alloc_request(q, opf, blk_flags);
	if (IS_ERR(req)) {
		ret = PTR_ERR(req);
		goto free_iov;
	}
	iod = lnvme_iod(req);
	iod->cmd = c;
	iod->status = 0;
	iod->result.u64 = 0;
	if (timeout_ms)
		req->timeout = msecs_to_jiffies(timeout_ms);
	if (bytes && vec)
		ret = blk_rq_map_user_iov(q, req, NULL, &iter,
					  GFP_KERNEL | __GFP_ZERO);
	else if (bytes)
		ret = blk_rq_map_user(q, req, NULL, u64_to_user_ptr(addr), len,
				      GFP_KERNEL | __GFP_ZERO);
	if (ret)
		goto free_req;
	if (meta_len) {
		ret = lnvme_map_user_meta(req, ns->disk, meta, meta_len);
		if (ret)
			goto unmap;
	}
	kfree(iov);	/* a bounce buffer keeps its own copy of the iovecs */

	pdu->bio = req->bio;
	pdu->req = req;
	atomic_set(&pdu->state, 0);
	req->end_io = lnvme_uring_end_io;
	req->end_io_data = ioucmd;
	blk_execute_rq_nowait(req, false);
	return -EIOCBQUEUED;

unmap:
	blk_rq_unmap_user(req->bio);	/* with the data, nothing was moved */
free_req:
	blk_mq_free_request(req);
free_iov:
	kfree(iov);
	return ret;
}

int lnvme_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct lnvme_ns *ns = ioucmd->file->private_data;
	struct lnvme_ctrl *ctrl = ns->ctrl;
	int ret;

	/*
	 * The command takes a 128-byte SQE (IORING_SETUP_SQE128) and the
	 * result a 32-byte CQE (IORING_SETUP_CQE32).
	 */
	if ((issue_flags & (IO_URING_F_SQE128 | IO_URING_F_CQE32)) !=
	    (IO_URING_F_SQE128 | IO_URING_F_CQE32))
		return -EOPNOTSUPP;
	if (!down_read_trylock(&ctrl->teardown_rwsem))
		return -EAGAIN;
	if (ctrl->removing || READ_ONCE(ns->removed)) {
		ret = -ENODEV;
		goto out;
	}
	switch (ioucmd->cmd_op) {
	case NVME_URING_CMD_IO:
		ret = lnvme_uring_submit(ns, ioucmd, issue_flags, false);
		break;
	case NVME_URING_CMD_IO_VEC:
		/*
		 * A 32-bit task's iovec array has the compat layout, which
		 * import_iovec() recognises only in the task's own syscall,
		 * not from io_uring's workers: refused rather than misread.
		 */
		if (lnvme_uring_cmd_compat(ioucmd, issue_flags)) {
			dev_warn_ratelimited(ctrl->dev, "vectored io_uring passthrough from a 32-bit task is not supported\n");
			ret = -EINVAL;
			break;
		}
		ret = lnvme_uring_submit(ns, ioucmd, issue_flags, true);
		break;
	default:
		ret = -ENOTTY;
	}
out:
	up_read(&ctrl->teardown_rwsem);
	return ret;
}

/*
 * ->uring_cmd_iopoll, for an IOPOLL ring: poll the command's queue until
 * the command has ended.  Once end_io ran (here or in another poller) this
 * returns 0 without touching the request, and the ring's poll loop runs the
 * completion's task work.
 */
int lnvme_uring_cmd_iopoll(struct io_uring_cmd *ioucmd,
			   struct io_comp_batch *iob, unsigned int poll_flags)
{
	struct lnvme_uring_pdu *pdu = lnvme_uring_pdu(ioucmd);
	struct request *req = pdu->req;
	int old, ret = 0;

	old = atomic_fetch_or(LNVME_URING_POLLING, &pdu->state);
	if (old & LNVME_URING_POLLING)
		return 0;	/* another poller has it: not done by io_uring */
	if (old & LNVME_URING_ENDED) {
		/* end_io saw no poller and freed the request. */
		atomic_andnot(LNVME_URING_POLLING, &pdu->state);
		return 0;
	}
	if (blk_rq_is_poll(req))
		ret = blk_rq_poll(req, iob, poll_flags);
	old = atomic_fetch_andnot(LNVME_URING_POLLING, &pdu->state);
	if (old & LNVME_URING_ENDED)
		blk_mq_free_request(req);	/* end_io left it to us */
	return ret;
}
