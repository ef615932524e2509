// SPDX-License-Identifier: GPL-2.0
/*
 * Queue pairs: the submission ring and its tail doorbell, the completion
 * ring with its phase tag and head doorbell.  Both rings live in coherent
 * DMA memory; request data never does.
 */
#include <linux/dma-mapping.h>
#include "../lnvme.h"

int lnvme_queue_alloc(struct lnvme_ctrl *ctrl, u16 qid, u16 depth)
{
	struct lnvme_queue *nq = &ctrl->queues[qid];

	nq->ctrl = ctrl;
	nq->qid = qid;
	nq->depth = depth;
	nq->vector = -1;
	spin_lock_init(&nq->sq_lock);
	spin_lock_init(&nq->cq_lock);

	nq->cqes = dma_alloc_coherent(ctrl->dev, depth * sizeof(*nq->cqes),
				      &nq->cq_dma, GFP_KERNEL);
	if (!nq->cqes)
		return -ENOMEM;
	nq->sqes = dma_alloc_coherent(ctrl->dev, depth * sizeof(*nq->sqes),
				      &nq->sq_dma, GFP_KERNEL);
	if (!nq->sqes)
		goto free_cq;

	nq->sq_db = &ctrl->dbs[qid * 2 * ctrl->db_stride];
	nq->cq_db = &ctrl->dbs[(qid * 2 + 1) * ctrl->db_stride];
	lnvme_queue_reset(nq);
	return 0;

free_cq:
	dma_free_coherent(ctrl->dev, depth * sizeof(*nq->cqes), nq->cqes,
			  nq->cq_dma);
	nq->cqes = NULL;
	return -ENOMEM;
}

void lnvme_queue_free(struct lnvme_queue *nq)
{
	struct device *dev = nq->ctrl->dev;

	if (nq->sqes)
		dma_free_coherent(dev, nq->depth * sizeof(*nq->sqes), nq->sqes,
				  nq->sq_dma);
	if (nq->cqes)
		dma_free_coherent(dev, nq->depth * sizeof(*nq->cqes), nq->cqes,
				  nq->cq_dma);
	nq->sqes = NULL;
	nq->cqes = NULL;
}

/*
 * Back to the state the controller expects of a newly created queue.  The
 * SQ tail changes under sq_lock: for the admin queue the reset calls this
 * while the event work may try to submit (lnvme_event_submit()).  The CQ side
 * needs no lock: the controller is disabled (or the queue not created), so
 * nothing is posted and no reaper finds an entry.
 */
void lnvme_queue_reset(struct lnvme_queue *nq)
{
	spin_lock(&nq->sq_lock);
	nq->sq_tail = 0;
	nq->sq_tail_rung = 0;
	spin_unlock(&nq->sq_lock);
	nq->cq_head = 0;
	nq->cq_phase = 1;
	memset(nq->cqes, 0, nq->depth * sizeof(*nq->cqes));
}

/* See lnvme_queue.created: under sq_lock. */
void lnvme_queue_set_created(struct lnvme_queue *nq, bool created)
{
	spin_lock(&nq->sq_lock);
	WRITE_ONCE(nq->created, created);
	spin_unlock(&nq->sq_lock);
}

void lnvme_sq_ring_locked(struct lnvme_queue *nq)
{
	if (nq->sq_tail == nq->sq_tail_rung)
		return;
	/* writel orders the SQ entry stores before the doorbell. */
	if (lnvme_dbbuf_update(nq->shadow_sq_db, nq->shadow_sq_ei, nq->sq_tail))
		writel(nq->sq_tail, nq->sq_db);
	nq->sq_tail_rung = nq->sq_tail;
	lnvme_health_arm(nq->ctrl);
}

void lnvme_sq_write_locked(struct lnvme_queue *nq, struct nvme_command *cmd)
{
	memcpy(&nq->sqes[nq->sq_tail], cmd, sizeof(*cmd));
	if (++nq->sq_tail == nq->depth)
		nq->sq_tail = 0;
}

/*
 * Copy a command into the submission ring.  With @ring false the doorbell
 * is left for a later lnvme_sq_ring(), so one doorbell covers a batch.
 */
void lnvme_sq_write(struct lnvme_queue *nq, struct nvme_command *cmd,
		    bool ring)
{
	spin_lock(&nq->sq_lock);
	lnvme_sq_write_locked(nq, cmd);
	if (ring)
		lnvme_sq_ring_locked(nq);
	spin_unlock(&nq->sq_lock);
}

void lnvme_sq_ring(struct lnvme_queue *nq)
{
	spin_lock(&nq->sq_lock);
	lnvme_sq_ring_locked(nq);
	spin_unlock(&nq->sq_lock);
}

bool lnvme_cqe_pending(struct lnvme_queue *nq)
{
	struct nvme_completion *cqe = &nq->cqes[nq->cq_head];

	return (le16_to_cpu(READ_ONCE(cqe->status)) & 1) == nq->cq_phase;
}

/*
 * Consume every new CQE, then tell the controller once, with a single head
 * doorbell write.  Returns the number of CQEs consumed.  The caller owns the
 * completion side: the queue's interrupt handler, or a poller under cq_lock.
 */
int lnvme_cq_reap(struct lnvme_queue *nq, struct io_comp_batch *iob)
{
	int found = 0;

	while (lnvme_cqe_pending(nq)) {
		/* Read the rest of the CQE only after its phase tag. */
		dma_rmb();
		lnvme_complete_cqe(nq, &nq->cqes[nq->cq_head], iob);
		if (++nq->cq_head == nq->depth) {
			nq->cq_head = 0;
			nq->cq_phase ^= 1;
		}
		found++;
	}
	if (found &&
	    lnvme_dbbuf_update(nq->shadow_cq_db, nq->shadow_cq_ei, nq->cq_head))
		writel(nq->cq_head, nq->cq_db);
	return found;
}
