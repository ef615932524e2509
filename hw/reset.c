// SPDX-License-Identifier: GPL-2.0
/*
 * Controller reset and command abort.
 *
 * A reset is asked for by the reset ioctl or sysfs, by a command timeout
 * that an Abort did not cure, or by CSTS.CFS (seen by a timeout, or within
 * a second by the health check of hw/health.c while I/O is outstanding).  It runs in three steps:
 *  1. LIVE -> RESETTING: quiesce the queues, disable the controller (after
 *     which it can no longer touch host memory), reap what it completed and
 *     hand every request still in flight back to blk-mq for a retry;
 *  2. RESETTING -> CONNECTING: enable it again, ask for the number of I/O
 *     queues the parameters now want, re-create the I/O queues and shadow
 *     doorbells; if the number or the map split changes, switch to the new
 *     queues as hw/qcount.c describes;
 *  3. CONNECTING -> LIVE: unquiesce, so the retried requests are sent.
 * If any step fails the controller is marked dead and all I/O fails fast;
 * a controller that does not disable in step 1 is fenced (bus mastering
 * off) and not enabled again.
 *
 * Disabling has one owner, disable_lock (lnvme.h): step 1, a disable from
 * a timeout handler or a kill, the re-enable in step 2 and the move to
 * LIVE with its unquiesce in step 3 never interleave.
 */
#include <linux/delay.h>
#include "../lnvme.h"

static struct workqueue_struct *lnvme_reset_wq;

/*
 * Enable the controller again with the admin queue reset, under
 * disable_lock: a kill that overtook the reset (state no longer CONNECTING)
 * wins, and the admin queue's tail is rewritten and its created flag set
 * under its sq_lock, which the event request submission takes (hw/events.c).
 */
static int lnvme_reset_enable(struct lnvme_ctrl *ctrl)
{
	int ret = -ENODEV;

	mutex_lock(&ctrl->disable_lock);
	if (lnvme_ctrl_state(ctrl) != LNVME_STATE_CONNECTING)
		goto unlock;
	/* A fault may have cleared bus mastering (as blktests block/011 does). */
	pci_set_master(ctrl->pdev);
	clear_bit(LNVME_FENCED, &ctrl->flags);
	lnvme_queue_reset(&ctrl->queues[0]);
	ret = lnvme_regs_enable(ctrl);
	if (ret)
		goto unlock;
	lnvme_queue_set_created(&ctrl->queues[0], true);
	if (test_and_clear_bit(LNVME_ADMIN_QUIESCED, &ctrl->flags))
		blk_mq_unquiesce_queue(ctrl->admin_q);
unlock:
	mutex_unlock(&ctrl->disable_lock);
	return ret;
}

/*
 * Enable the controller and re-create the I/O queues it had, as many as it
 * still grants: requests handed back by the reset are bound to them.
 * @next gets the queues to switch to, if they differ.
 */
static int lnvme_reset_reconnect(struct lnvme_ctrl *ctrl,
				 struct lnvme_qcount *next)
{
	unsigned int granted, qid;
	bool changed;
	int ret;

	ret = lnvme_reset_enable(ctrl);
	if (ret)
		return ret;

	ret = lnvme_qcount_negotiate(ctrl, next, &granted);
	if (ret)
		return ret;
	if (granted < ctrl->nr_io_queues)
		dev_warn(ctrl->dev, "controller now grants %u I/O queues, %u in use: I/O bound to the others fails\n",
			 granted, ctrl->nr_io_queues);
	for (qid = 1; qid <= min(ctrl->nr_io_queues, granted); qid++) {
		ret = lnvme_create_io_queue(&ctrl->queues[qid]);
		if (ret)
			return ret;
	}
	/* When switching, shadow doorbells come with the new queues. */
	changed = lnvme_qcount_changed(ctrl, next);
	lnvme_dbbuf_free(ctrl);
	if (!changed)
		lnvme_dbbuf_setup(ctrl);
	lnvme_set_irq_coalescing(ctrl);
	lnvme_set_aen_config(ctrl);
	lnvme_event_submit(ctrl);
	return 0;
}

/*
 * CONNECTING -> LIVE and unquiesce, under disable_lock, and only if no
 * disable ran since the re-enable (a timeout of one of the reset's own
 * commands disables the controller and clears the admin queue's created
 * flag): a live controller is never left disabled, and a disable never
 * finds the queues unquiesced behind its back.
 */
static bool lnvme_reset_go_live(struct lnvme_ctrl *ctrl)
{
	bool live = false;

	mutex_lock(&ctrl->disable_lock);
	if (ctrl->queues[0].created)
		live = lnvme_ctrl_set_state(ctrl, LNVME_STATE_LIVE);
	if (live)
		lnvme_ctrl_unquiesce(ctrl);
	mutex_unlock(&ctrl->disable_lock);
	return live;
}

static void lnvme_reset_work(struct work_struct *work)
{
	struct lnvme_ctrl *ctrl = container_of(work, struct lnvme_ctrl,
					       reset_work);
	unsigned long start = jiffies;
	struct lnvme_qcount next;
	int ret;

	/* Removal started meanwhile: it takes over from here. */
	if (lnvme_ctrl_state(ctrl) != LNVME_STATE_RESETTING)
		return;
	/* Requests in flight, timed out or not, are handed back here. */
	ret = lnvme_ctrl_disable(ctrl, true);
	if (ret) {
		dev_err(ctrl->dev, "reset failed: the controller did not disable (%d)\n",
			ret);
		goto dead;
	}
	if (!lnvme_ctrl_set_state(ctrl, LNVME_STATE_CONNECTING))
		goto dead;
	ret = lnvme_reset_reconnect(ctrl, &next);
	if (!ret && lnvme_qcount_changed(ctrl, &next))
		ret = lnvme_qcount_switch(ctrl, &next);
	if (ret) {
		dev_err(ctrl->dev, "reset failed: %d\n", ret);
		goto dead;
	}
	if (!lnvme_reset_go_live(ctrl))
		goto dead;
	dev_info(ctrl->dev, "reset complete in %u ms\n",
		 jiffies_to_msecs(jiffies - start));
	/* Not from here: a later reset could not run while this one waits. */
	lnvme_ns_queue_scan(ctrl);
	return;
dead:
	lnvme_ctrl_kill(ctrl, "reset failed");
}

void lnvme_reset_prepare(struct lnvme_ctrl *ctrl)
{
	mutex_init(&ctrl->disable_lock);
	INIT_WORK(&ctrl->reset_work, lnvme_reset_work);
	atomic_set(&ctrl->aborts, 0);
	lnvme_health_prepare(ctrl);
}

/* LIVE -> RESETTING and queue the reset; false if not live. */
bool lnvme_reset_schedule(struct lnvme_ctrl *ctrl)
{
	if (!lnvme_ctrl_set_state(ctrl, LNVME_STATE_RESETTING))
		return false;
	queue_work(lnvme_reset_wq, &ctrl->reset_work);
	return true;
}

/*
 * Run the reset work for a controller already RESETTING and disabled
 * (hw/hold.c): it re-enables the controller and goes live.
 */
void lnvme_reset_queue(struct lnvme_ctrl *ctrl)
{
	queue_work(lnvme_reset_wq, &ctrl->reset_work);
}

/* Reset and wait for the outcome: 0 once the controller is live again. */
int lnvme_reset_sync(struct lnvme_ctrl *ctrl)
{
	if (!lnvme_reset_schedule(ctrl))
		return lnvme_ctrl_state(ctrl) == LNVME_STATE_DEAD ? -ENODEV : -EBUSY;
	flush_work(&ctrl->reset_work);
	return lnvme_ctrl_state(ctrl) == LNVME_STATE_LIVE ? 0 : -EIO;
}

/*
 * From the timeout handler: disable the controller now, so that the timed
 * out request can be handed back, then re-enable it from the work queue.
 * False if the controller was not live: another timeout, a reset or a kill
 * owns it.
 */
bool lnvme_reset_from_timeout(struct lnvme_ctrl *ctrl, const char *why)
{
	if (!lnvme_ctrl_set_state(ctrl, LNVME_STATE_RESETTING))
		return false;
	dev_warn(ctrl->dev, "resetting controller: %s\n", why);
	lnvme_ctrl_disable(ctrl, true);
	queue_work(lnvme_reset_wq, &ctrl->reset_work);
	return true;
}

enum rq_end_io_ret lnvme_abort_end_io(struct request *abort,
				      blk_status_t error,
				      const struct io_comp_batch *iob)
{
	struct lnvme_ctrl *ctrl = abort->end_io_data;
	struct lnvme_iod *iod = lnvme_iod(abort);

	dev_warn_ratelimited(ctrl->dev, "Abort of queue %u command %#x: %s\n",
			     le16_to_cpu(iod->cmd.abort.sqid), iod->cmd.abort.cid,
			     iod->status ? "refused" :
			     le32_to_cpu(iod->result.u32) & 1 ? "not aborted" :
			     "aborted");
	atomic_dec(&ctrl->aborts);
	blk_mq_free_request(abort);
	return RQ_END_IO_NONE;
}

/* Send an Abort for @req, within the controller's Abort Command Limit. */
int lnvme_abort_send(struct lnvme_ctrl *ctrl, struct request *req)
{
	struct lnvme_queue *nq = req->mq_hctx->driver_data;
	struct lnvme_iod *iod = lnvme_iod(req), *aiod;
	struct request *abort;

	if (atomic_inc_return(&ctrl->aborts) > ctrl->acl) {
		atomic_dec(&ctrl->aborts);
		return -EBUSY;
	}
	abort = blk_mq_alloc_request(ctrl->admin_q, REQ_OP_DRV_OUT,
				     BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(abort)) {
		atomic_dec(&ctrl->aborts);
		return PTR_ERR(abort);
	}
	aiod = lnvme_iod(abort);
	memset(&aiod->cmd, 0, sizeof(aiod->cmd));
	aiod->cmd.abort.opcode = nvme_admin_abort_cmd;
	aiod->cmd.abort.cid = iod->cmd.common.command_id;
	aiod->cmd.abort.sqid = cpu_to_le16(nq->qid);
	aiod->status = 0;
	abort->timeout = lnvme_admin_timeout * HZ;
	abort->end_io = lnvme_abort_end_io;
	abort->end_io_data = ctrl;
	blk_execute_rq_nowait(abort, false);
	return 0;
}

int lnvme_reset_init(void)
{
	lnvme_reset_wq = alloc_workqueue("lnvme-reset",
					 WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return lnvme_reset_wq ? 0 : -ENOMEM;
}

void lnvme_reset_exit(void)
{
	destroy_workqueue(lnvme_reset_wq);
}
