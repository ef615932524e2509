// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts: MSI-X vector 0 serves the admin queue, vectors 1..n the I/O
 * queues, spread over the CPUs by the affinity code.  The handler reaps its
 * own completion queue in one batch.
 */
#include <linux/interrupt.h>
#include "../lnvme.h"

static irqreturn_t lnvme_irq(int irq, void *data)
{
	struct lnvme_queue *nq = data;
	DEFINE_IO_COMP_BATCH(iob);

	if (!lnvme_cq_reap(nq, &iob))
		return IRQ_NONE;
	if (!rq_list_empty(&iob.req_list))
		iob.complete(&iob);
	return IRQ_HANDLED;
}

int lnvme_irq_request(struct lnvme_queue *nq)
{
	struct lnvme_ctrl *ctrl = nq->ctrl;
	int ret;

	ret = pci_request_irq(ctrl->pdev, nq->vector, lnvme_irq, NULL, nq,
			      LNVME_NAME "%dq%u", ctrl->instance, nq->qid);
	if (ret) {
		dev_err(ctrl->dev, "cannot request IRQ for queue %u: %d\n",
			nq->qid, ret);
		return ret;
	}
	nq->irq_requested = true;
	return 0;
}

void lnvme_irq_free(struct lnvme_queue *nq)
{
	if (!nq->irq_requested)
		return;
	pci_free_irq(nq->ctrl->pdev, nq->vector, nq);
	nq->irq_requested = false;
}

/* One vector, for the admin queue during bring-up. */
int lnvme_irq_setup_admin(struct lnvme_ctrl *ctrl)
{
	int ret;

	ret = pci_alloc_irq_vectors(ctrl->pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0) {
		dev_err(ctrl->dev, "no interrupt vector: %d\n", ret);
		return ret;
	}
	ctrl->nr_vecs = ret;
	ctrl->queues[0].vector = 0;
	return lnvme_irq_request(&ctrl->queues[0]);
}

/*
 * Re-allocate vectors once the number of I/O queues is known: one for the
 * admin queue plus up to @want spread by affinity.  Returns how many I/O
 * queues get a vector of their own (at least 1: with a single vector every
 * queue shares it).
 */
int lnvme_irq_setup_io(struct lnvme_ctrl *ctrl, unsigned int want)
{
	struct irq_affinity affd = { .pre_vectors = 1 };
	int ret;

	lnvme_irq_free(&ctrl->queues[0]);
	pci_free_irq_vectors(ctrl->pdev);

	ret = pci_alloc_irq_vectors_affinity(ctrl->pdev, 1, want + 1,
					     PCI_IRQ_ALL_TYPES | PCI_IRQ_AFFINITY,
					     &affd);
	if (ret < 0) {
		dev_err(ctrl->dev, "no interrupt vectors: %d\n", ret);
		ctrl->nr_vecs = 0;
		return ret;
	}
	ctrl->nr_vecs = ret;
	if (ret < want + 1)
		dev_info(ctrl->dev, "%d interrupt vectors for %u I/O queues\n",
			 ret, want);
	ret = lnvme_irq_request(&ctrl->queues[0]);
	if (ret)
		return ret;
	return max_t(int, ctrl->nr_vecs - 1, 1);
}

void lnvme_irq_release(struct lnvme_ctrl *ctrl)
{
	pci_free_irq_vectors(ctrl->pdev);
	ctrl->nr_vecs = 0;
}
