// SPDX-License-Identifier: GPL-2.0
/*
 * blk-mq tag sets: the admin queue's and the I/O queues', the queue_rq entry
 * point, queue mapping and the timeout handler.
 */
#include <linux/interrupt.h>
#include "../lnvme.h"

static unsigned int lnvme_cmd_size(void)
{
	return sizeof(struct lnvme_iod);
}

static bool lnvme_rq_has_data(struct request *req)
{
	switch (req_op(req)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
	case REQ_OP_ZONE_APPEND:
	case REQ_OP_DRV_IN:
	case REQ_OP_DRV_OUT:
		return blk_rq_nr_phys_segments(req);
	default:
		return false;
	}
}

static void lnvme_iod_init(struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);

	/* A requeued request keeps its retry count. */
	if (!(req->rq_flags & RQF_DONTPREP)) {
		iod->retries = 0;
		req->rq_flags |= RQF_DONTPREP;
	}
	iod->status = 0;
	iod->timed_out = false;
	iod->nr_lists = 0;
	iod->nents = 0;
	iod->sg_pooled = false;
	iod->bvec_len = 0;
	iod->use_sgl = false;
	iod->claimed = 0;
	/* Before blk_mq_start_request() shows it in flight to a cancel pass. */
	smp_wmb();
}

/* Build and map the command, and start the request. */
static blk_status_t lnvme_prep_rq(struct lnvme_queue *nq, struct request *req)
{
	struct lnvme_ctrl *ctrl = nq->ctrl;
	struct lnvme_iod *iod = lnvme_iod(req);
	blk_status_t ret;

	/* Dead, or a queue the controller no longer grants after a reset. */
	if (unlikely(lnvme_ctrl_state(ctrl) == LNVME_STATE_DEAD ||
		     !nq->created))
		return BLK_STS_IOERR;

	lnvme_iod_init(req);
	ret = lnvme_setup_cmd(req->q->queuedata, req);
	if (ret)
		goto out;
	if (lnvme_rq_has_data(req)) {
		ret = lnvme_map_data(ctrl, req);
		if (ret)
			goto out;
	}
	iod->gen = (iod->gen + 1) & (BIT(16 - LNVME_CID_TAG_BITS) - 1);
	iod->aborted = false;
	iod->cmd.common.command_id = req->tag | iod->gen << LNVME_CID_TAG_BITS;
	blk_mq_start_request(req);
	return BLK_STS_OK;
out:
	lnvme_free_lists(ctrl, iod);
	return ret;
}

static blk_status_t lnvme_queue_rq(struct blk_mq_hw_ctx *hctx,
				   const struct blk_mq_queue_data *bd)
{
	struct lnvme_queue *nq = hctx->driver_data;
	blk_status_t ret;

	ret = lnvme_prep_rq(nq, bd->rq);
	if (ret)
		return ret;
	lnvme_sq_write(nq, &lnvme_iod(bd->rq)->cmd, bd->last);
	return BLK_STS_OK;
}

static void lnvme_submit_list(struct lnvme_queue *nq, struct rq_list *list)
{
	struct request *req;

	spin_lock(&nq->sq_lock);
	while ((req = rq_list_pop(list)))
		lnvme_sq_write_locked(nq, &lnvme_iod(req)->cmd);
	lnvme_sq_ring_locked(nq);
	spin_unlock(&nq->sq_lock);
}

/*
 * A plug's worth of requests: one SQ lock and one doorbell per run of
 * requests for the same queue.  Requests that cannot be prepared go back to
 * blk-mq, which passes them to queue_rq one by one.
 */
void lnvme_queue_rqs(struct rq_list *rqlist)
{
	struct rq_list submit = { }, requeue = { };
	struct lnvme_queue *nq = NULL;
	struct request *req;

	while ((req = rq_list_pop(rqlist))) {
		if (nq && req->mq_hctx->driver_data != nq)
			lnvme_submit_list(nq, &submit);
		nq = req->mq_hctx->driver_data;
		if (lnvme_prep_rq(nq, req) == BLK_STS_OK)
			rq_list_add_tail(&submit, req);
		else
			rq_list_add_tail(&requeue, req);
	}
	if (nq)
		lnvme_submit_list(nq, &submit);
	*rqlist = requeue;
}

static void lnvme_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	lnvme_sq_ring(hctx->driver_data);
}

/* blk_mq_ops.poll, for the POLL map's queues, whose CQs raise no interrupt. */
static int lnvme_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct lnvme_queue *nq = hctx->driver_data;
	int found;

	if (!lnvme_cqe_pending(nq))
		return 0;
	spin_lock(&nq->cq_lock);
	found = lnvme_cq_reap(nq, iob);
	spin_unlock(&nq->cq_lock);
	return found;
}

/* Reap a queue's CQ from outside its interrupt handler. */
static void lnvme_cq_reap_sync(struct lnvme_queue *nq)
{
	int irq = -1;

	if (nq->irq_requested) {
		irq = pci_irq_vector(nq->ctrl->pdev, nq->vector);
		disable_irq(irq);
	}
	spin_lock(&nq->cq_lock);
	lnvme_cq_reap(nq, NULL);
	spin_unlock(&nq->cq_lock);
	if (irq >= 0)
		enable_irq(irq);
}

/*
 * A command timed out.  In order: look for a lost interrupt; while a reset
 * runs, leave the request to it; if the device is gone, give up on it;
 * otherwise send an Abort and give the command another timeout; if it
 * times out again, reset the controller.  Admin commands are never aborted.
 * Only a cancel pass under disable_lock ends a request here, so a request
 * whose timeout races another timeout, a reset or a kill is ended once.
 */
static enum blk_eh_timer_return lnvme_timeout(struct request *req)
{
	struct lnvme_queue *nq = req->mq_hctx->driver_data;
	struct lnvme_ctrl *ctrl = nq->ctrl;
	struct lnvme_iod *iod = lnvme_iod(req);
	enum lnvme_state state;
	u32 csts;

	lnvme_cq_reap_sync(nq);
	if (blk_mq_rq_state(req) != MQ_RQ_IN_FLIGHT) {
		dev_warn_ratelimited(ctrl->dev,
				     "queue %u tag %d: completion found without an interrupt\n",
				     nq->qid, req->tag);
		return BLK_EH_DONE;
	}

	/*
	 * The reset owns the controller: its cancel pass hands this request
	 * back (file system I/O is sent again), so the timeout is not an
	 * error.  Give it another timeout in case the pass already ran.
	 */
	state = lnvme_ctrl_state(ctrl);
	if (state == LNVME_STATE_RESETTING) {
		dev_warn_ratelimited(ctrl->dev, "queue %u tag %d: timed out while the controller resets; left to the reset\n",
				     nq->qid, req->tag);
		return BLK_EH_RESET_TIMER;
	}

	csts = readl(ctrl->bar + NVME_REG_CSTS);
	dev_err_ratelimited(ctrl->dev, "queue %u tag %d: opcode %#x timed out (CSTS %#x)\n",
			    nq->qid, req->tag, iod->cmd.common.opcode, csts);
	if (csts == ~0U) {
		lnvme_ctrl_kill(ctrl, "device gone");
		state = LNVME_STATE_DEAD;
	} else if (state == LNVME_STATE_LIVE) {
		if (!(csts & NVME_CSTS_CFS) && nq->qid && !iod->aborted &&
		    !lnvme_abort_send(ctrl, req)) {
			iod->aborted = true;
			return BLK_EH_RESET_TIMER;
		}
		if (lnvme_reset_from_timeout(ctrl, csts & NVME_CSTS_CFS ?
					     "controller fatal status" :
					     "command timeout"))
			return BLK_EH_DONE;
		/*
		 * Another timeout, a reset or a kill got there first: its
		 * cancel pass ends this request, which was in flight when it
		 * took the controller.
		 */
		return BLK_EH_RESET_TIMER;
	}

	/*
	 * Connecting: a command of the reset itself (or I/O while the reset
	 * drains the old queues), so the controller does not answer after
	 * the re-enable; the pass ends it with the rest, the reset fails and
	 * kills the controller.  Bring-up or teardown: nobody recovers the
	 * controller, kill it.  Dead: the kill's pass ended every request;
	 * one more pass ends a request that slipped in while it ran.
	 */
	if (state != LNVME_STATE_CONNECTING && state != LNVME_STATE_DEAD)
		lnvme_ctrl_kill(ctrl, "command timeout");
	lnvme_ctrl_disable(ctrl, false);
	return BLK_EH_DONE;
}

static bool lnvme_cancel_rq(struct request *req, void *data)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	bool retry = *(bool *)data;

	/* In flight, but maybe in a poller's batch: see lnvme_iod.claimed. */
	if (blk_mq_rq_state(req) != MQ_RQ_IN_FLIGHT || !lnvme_iod_claim(iod))
		return true;
	iod->status = NVME_SC_HOST_ABORTED_CMD;
	if (!retry)
		iod->status |= NVME_STATUS_DNR;
	/*
	 * Outstanding past its deadline: one of the commands the controller
	 * did not answer.  Its hand-back counts as a retry, so a command that
	 * always times out fails after max_retries resets.
	 */
	iod->timed_out = time_after_eq(jiffies, READ_ONCE(req->deadline));
	blk_mq_complete_request(req);
	return true;
}

/*
 * The controller is disabled, fenced or gone: reap what it did complete,
 * then end every request still in flight, to be retried (@retry) or
 * failed.  Only from lnvme_ctrl_disable(), under disable_lock: two passes
 * at once could both see a request in flight and both complete it.
 */
void lnvme_cancel_requests(struct lnvme_ctrl *ctrl, bool retry)
{
	unsigned int qid;

	lockdep_assert_held(&ctrl->disable_lock);
	for (qid = 0; qid <= ctrl->nr_io_queues; qid++)
		if (ctrl->queues[qid].cqes)
			lnvme_cq_reap_sync(&ctrl->queues[qid]);

	if (ctrl->admin_q) {
		blk_mq_tagset_busy_iter(&ctrl->admin_set, lnvme_cancel_rq, &retry);
		blk_mq_tagset_wait_completed_request(&ctrl->admin_set);
	}
	if (ctrl->io_set_ready) {
		blk_mq_tagset_busy_iter(&ctrl->io_set, lnvme_cancel_rq, &retry);
		blk_mq_tagset_wait_completed_request(&ctrl->io_set);
	}
}

static int lnvme_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			   unsigned int hctx_idx)
{
	struct lnvme_ctrl *ctrl = data;
	struct lnvme_queue *nq = &ctrl->queues[hctx_idx + 1];

	nq->tags = hctx->tags;
	hctx->driver_data = nq;
	return 0;
}

static int lnvme_admin_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				 unsigned int hctx_idx)
{
	struct lnvme_ctrl *ctrl = data;

	ctrl->queues[0].tags = hctx->tags;
	hctx->driver_data = &ctrl->queues[0];
	return 0;
}

/*
 * Interrupt-driven hardware contexts serve the CPUs their vector is bound
 * to; polled ones are spread evenly.  Queue ids follow the map order, so
 * map i's first queue is qid queue_offset + 1, on the vector of that index.
 * The vectors' affinity covers every CPU only when one map has a queue on
 * each I/O vector; otherwise (a READ map, or fewer queues than vectors
 * after a reset) the map's queues are spread evenly too.  A map may have
 * no queues (no READ or POLL queues for now): blk-mq then uses DEFAULT.
 */
static void lnvme_map_queues(struct blk_mq_tag_set *set)
{
	struct lnvme_ctrl *ctrl = set->driver_data;
	unsigned int i, offset = 0;

	for (i = 0; i < set->nr_maps; i++) {
		struct blk_mq_queue_map *map = &set->map[i];

		map->nr_queues = ctrl->nr_map_queues[i];
		map->queue_offset = offset;
		if (!map->nr_queues)
			continue;
		if (i != HCTX_TYPE_POLL && ctrl->nr_vecs > 1 &&
		    map->nr_queues == ctrl->nr_vecs - 1)
			blk_mq_map_hw_queues(map, ctrl->dev, offset + 1);
		else
			blk_mq_map_queues(map);
		offset += map->nr_queues;
	}
}

static const struct blk_mq_ops lnvme_io_mq_ops = {
	.queue_rq	= lnvme_queue_rq,
	.queue_rqs	= lnvme_queue_rqs,
	.commit_rqs	= lnvme_commit_rqs,
	.complete	= lnvme_complete_rq,
	.init_hctx	= lnvme_init_hctx,
	.map_queues	= lnvme_map_queues,
	.poll		= lnvme_poll,
	.timeout	= lnvme_timeout,
};

static const struct blk_mq_ops lnvme_admin_mq_ops = {
	.queue_rq	= lnvme_queue_rq,
	.complete	= lnvme_complete_rq,
	.init_hctx	= lnvme_admin_init_hctx,
	.timeout	= lnvme_timeout,
};

int lnvme_admin_tagset_init(struct lnvme_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = &ctrl->admin_set;
	struct queue_limits lim = {
		.max_hw_sectors		= LNVME_MAX_XFER_SECTORS,
		.max_segments		= LNVME_MAX_SEGS,
		.virt_boundary_mask	= LNVME_CTRL_PAGE_SIZE - 1,
		.dma_alignment		= 3,
	};
	int ret;

	memset(set, 0, sizeof(*set));
	set->ops = &lnvme_admin_mq_ops;
	set->nr_hw_queues = 1;
	set->queue_depth = LNVME_AQ_TAGS;
	set->timeout = lnvme_admin_timeout * HZ;
	set->numa_node = dev_to_node(ctrl->dev);
	set->cmd_size = lnvme_cmd_size();
	set->driver_data = ctrl;
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;

	ctrl->admin_q = blk_mq_alloc_queue(set, &lim, NULL);
	if (IS_ERR(ctrl->admin_q)) {
		ret = PTR_ERR(ctrl->admin_q);
		ctrl->admin_q = NULL;
		blk_mq_free_tag_set(set);
		return ret;
	}
	return 0;
}

void lnvme_admin_tagset_exit(struct lnvme_ctrl *ctrl)
{
	if (!ctrl->admin_q)
		return;
	blk_mq_destroy_queue(ctrl->admin_q);
	blk_put_queue(ctrl->admin_q);
	ctrl->admin_q = NULL;
	blk_mq_free_tag_set(&ctrl->admin_set);
}

int lnvme_io_tagset_init(struct lnvme_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = &ctrl->io_set;
	int ret;

	memset(set, 0, sizeof(*set));
	set->ops = &lnvme_io_mq_ops;
	set->nr_hw_queues = ctrl->nr_io_queues;
	/* Every map, so that READ or POLL queues may appear at a reset. */
	set->nr_maps = HCTX_MAX_TYPES;
	set->queue_depth = min_t(unsigned int, ctrl->io_depth - 1,
				 BLK_MQ_MAX_DEPTH);
	set->timeout = lnvme_io_timeout * HZ;
	set->numa_node = dev_to_node(ctrl->dev);
	set->cmd_size = lnvme_cmd_size();
	set->driver_data = ctrl;
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;
	ctrl->io_set_ready = true;
	return 0;
}

void lnvme_io_tagset_exit(struct lnvme_ctrl *ctrl)
{
	if (!ctrl->io_set_ready)
		return;
	ctrl->io_set_ready = false;
	blk_mq_free_tag_set(&ctrl->io_set);
}
