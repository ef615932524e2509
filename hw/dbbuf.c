// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow doorbells (Doorbell Buffer Config, OACS bit 8).
 *
 * The driver writes each I/O queue's SQ tail and CQ head into a shadow
 * buffer in host memory, and the controller publishes an event index per
 * doorbell: the value at which it wants an MMIO doorbell write again.  An
 * emulated controller polls the shadow buffer, so most MMIO writes, each a
 * costly exit to the hypervisor, are skipped.  The admin queue always uses
 * MMIO doorbells.
 */
#include <linux/dma-mapping.h>
#include "../lnvme.h"

/*
 * Publish @value in the shadow doorbell; return true when the controller
 * asked for an MMIO write too, i.e. its event index lies in (old, value]
 * modulo 2^16.  Without shadow doorbells, always true.
 */
bool lnvme_dbbuf_update(__le32 *db, __le32 *ei, u16 value)
{
	u16 old, event;

	if (!db)
		return true;
	/* Queue entries before the shadow doorbell that announces them. */
	wmb();
	old = le32_to_cpu(READ_ONCE(*db));
	WRITE_ONCE(*db, cpu_to_le32(value));
	/* The shadow doorbell before the event index read. */
	mb();
	event = le32_to_cpu(READ_ONCE(*ei));
	return (u16)(value - event - 1) < (u16)(value - old);
}

static void lnvme_dbbuf_attach(struct lnvme_ctrl *ctrl, struct lnvme_queue *nq)
{
	unsigned int sq = nq->qid * 2 * ctrl->db_stride;
	unsigned int cq = sq + ctrl->db_stride;

	nq->shadow_sq_db = &ctrl->dbbuf_dbs[sq];
	nq->shadow_sq_ei = &ctrl->dbbuf_eis[sq];
	nq->shadow_cq_db = &ctrl->dbbuf_dbs[cq];
	nq->shadow_cq_ei = &ctrl->dbbuf_eis[cq];
}

void lnvme_dbbuf_free(struct lnvme_ctrl *ctrl)
{
	unsigned int qid;

	for (qid = 1; qid <= ctrl->nr_io_queues; qid++) {
		struct lnvme_queue *nq = &ctrl->queues[qid];

		nq->shadow_sq_db = NULL;
		nq->shadow_sq_ei = NULL;
		nq->shadow_cq_db = NULL;
		nq->shadow_cq_ei = NULL;
	}
	if (ctrl->dbbuf_dbs)
		dma_free_coherent(ctrl->dev, LNVME_CTRL_PAGE_SIZE,
				  ctrl->dbbuf_dbs, ctrl->dbbuf_dbs_dma);
	if (ctrl->dbbuf_eis)
		dma_free_coherent(ctrl->dev, LNVME_CTRL_PAGE_SIZE,
				  ctrl->dbbuf_eis, ctrl->dbbuf_eis_dma);
	ctrl->dbbuf_dbs = NULL;
	ctrl->dbbuf_eis = NULL;
}

/* Called once the I/O queues exist and before any I/O is submitted. */
void lnvme_dbbuf_setup(struct lnvme_ctrl *ctrl)
{
	size_t need = (ctrl->nr_io_queues + 1) * 2 * ctrl->db_stride *
		      sizeof(__le32);
	struct nvme_command c = { };
	unsigned int qid;
	int ret;

	if (!lnvme_shadow_doorbells ||
	    !(ctrl->oacs & NVME_CTRL_OACS_DBBUF_SUPP))
		return;
	if (need > LNVME_CTRL_PAGE_SIZE) {
		dev_info(ctrl->dev, "too many queues for one shadow doorbell page; using MMIO doorbells\n");
		return;
	}
	ctrl->dbbuf_dbs = dma_alloc_coherent(ctrl->dev, LNVME_CTRL_PAGE_SIZE,
					     &ctrl->dbbuf_dbs_dma, GFP_KERNEL);
	ctrl->dbbuf_eis = dma_alloc_coherent(ctrl->dev, LNVME_CTRL_PAGE_SIZE,
					     &ctrl->dbbuf_eis_dma, GFP_KERNEL);
	if (!ctrl->dbbuf_dbs || !ctrl->dbbuf_eis)
		goto fail;

	c.dbbuf.opcode = nvme_admin_dbbuf;
	c.dbbuf.prp1 = cpu_to_le64(ctrl->dbbuf_dbs_dma);
	c.dbbuf.prp2 = cpu_to_le64(ctrl->dbbuf_eis_dma);
	ret = lnvme_admin_exec(ctrl, &c, NULL, 0, NULL);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"Doorbell Buffer Config failed, using MMIO doorbells");
		goto fail;
	}
	for (qid = 1; qid <= ctrl->nr_io_queues; qid++)
		lnvme_dbbuf_attach(ctrl, &ctrl->queues[qid]);
	return;
fail:
	lnvme_dbbuf_free(ctrl);
}
