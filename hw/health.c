// SPDX-License-Identifier: GPL-2.0
/*
 * Noticing a failed controller in about a second instead of at the I/O
 * timeout.
 *
 * A controller that stops (Controller Fatal Status, e.g. after it could
 * not fetch a command or post a completion because bus mastering was
 * cleared; or registers reading all ones) completes nothing more, so
 * without this its failure shows only when a command times out
 * (io_timeout, 30 s by default), and again after every reset while the
 * cause persists.
 *
 * health_work runs every LNVME_HEALTH_TICK_MS while commands are
 * outstanding, and not at all when the controller is idle: submitting
 * (lnvme_health_arm() at each doorbell) queues it when it is not queued,
 * and it queues itself again only while it finds requests in flight.
 * Each run notes, per queue, whether requests were in flight and where
 * the completion queue's head was.  A queue that had requests in flight at
 * two consecutive runs and reaped no completion in between is silent;
 * then, and only then, CSTS is read, once.  A silent queue alone decides
 * nothing: a slow backend (a throttled image, a 2-vCPU TCG guest under
 * load) can keep a healthy controller quiet for seconds.  Only CSTS.CFS
 * or all ones start recovery: the controller reset of hw/reset.c, at once.
 * The reset hands the requests in flight back to blk-mq (nothing fails)
 * and, if the controller does not come back, kills it.  The timeout
 * handler stays the last resort for a controller that hangs without
 * saying so.
 *
 * The run holds disable_lock (tried, never waited for), so the queues it
 * looks at are not being disabled, re-created or switched meanwhile, and
 * looks at nothing unless the controller is live.
 */
#include "../lnvme.h"

static bool lnvme_health_busy(struct request *req, void *data)
{
	struct lnvme_queue *nq = req->mq_hctx->driver_data;

	if (blk_mq_rq_state(req) == MQ_RQ_IN_FLIGHT)
		nq->health_busy = true;
	return true;
}

/*
 * Under disable_lock, controller live: note each queue's state and return
 * true if requests are in flight; *silent when one of them is silent.
 */
static bool lnvme_health_scan(struct lnvme_ctrl *ctrl, bool *silent)
{
	bool busy = false;
	unsigned int qid;

	for (qid = 0; qid <= ctrl->nr_io_queues; qid++)
		ctrl->queues[qid].health_busy = false;
	blk_mq_tagset_busy_iter(&ctrl->admin_set, lnvme_health_busy, NULL);
	if (ctrl->io_set_ready)
		blk_mq_tagset_busy_iter(&ctrl->io_set, lnvme_health_busy, NULL);

	*silent = false;
	for (qid = 0; qid <= ctrl->nr_io_queues; qid++) {
		struct lnvme_queue *nq = &ctrl->queues[qid];
		u32 seen = READ_ONCE(nq->cq_head) | READ_ONCE(nq->cq_phase) << 16;

		if (!nq->cqes || !READ_ONCE(nq->created))
			continue;
		if (nq->health_busy) {
			busy = true;
			if (nq->health_was_busy && seen == nq->health_seen)
				*silent = true;
		}
		nq->health_was_busy = nq->health_busy;
		nq->health_seen = seen;
	}
	return busy;
}

static void lnvme_health_work(struct work_struct *work)
{
	struct lnvme_ctrl *ctrl = container_of(to_delayed_work(work),
					       struct lnvme_ctrl, health_work);
	bool busy, silent;
	u32 csts = 0;

	if (lnvme_ctrl_state(ctrl) != LNVME_STATE_LIVE)
		return;
	/* A disable, reset or queue switch runs: look again next tick. */
	if (!mutex_trylock(&ctrl->disable_lock)) {
		busy = true;
		goto again;
	}
	if (lnvme_ctrl_state(ctrl) != LNVME_STATE_LIVE) {
		mutex_unlock(&ctrl->disable_lock);
		return;
	}
	busy = lnvme_health_scan(ctrl, &silent);
	if (silent)
		csts = readl(ctrl->bar + NVME_REG_CSTS);
	mutex_unlock(&ctrl->disable_lock);

	if (csts == ~0U || (csts & NVME_CSTS_CFS)) {
		/* A frozen link is the PCI error handlers' (hw/pcierr.c). */
		if (pci_channel_offline(ctrl->pdev))
			return;
		if (lnvme_reset_schedule(ctrl))
			dev_err(ctrl->dev, "controller failed (CSTS %#x) with commands outstanding and no completion for %u ms: resetting it now\n",
				csts, LNVME_HEALTH_TICK_MS);
		return;
	}
again:
	if (busy)
		queue_delayed_work(system_highpri_wq, &ctrl->health_work,
				   msecs_to_jiffies(LNVME_HEALTH_TICK_MS));
}

/* Slow path of lnvme_health_arm(): a doorbell rang, nobody is watching. */
void lnvme_health_kick(struct lnvme_ctrl *ctrl)
{
	if (lnvme_ctrl_state(ctrl) == LNVME_STATE_LIVE)
		queue_delayed_work(system_highpri_wq, &ctrl->health_work,
				   msecs_to_jiffies(LNVME_HEALTH_TICK_MS));
}

void lnvme_health_prepare(struct lnvme_ctrl *ctrl)
{
	INIT_DELAYED_WORK(&ctrl->health_work, lnvme_health_work);
}

/*
 * From teardown, once the controller is no longer live (so nothing queues
 * the work again): after the disks are gone, and again once the queues
 * are freed.
 */
void lnvme_health_stop(struct lnvme_ctrl *ctrl)
{
	cancel_delayed_work_sync(&ctrl->health_work);
}
