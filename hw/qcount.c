// SPDX-License-Identifier: GPL-2.0
/*
 * The number of I/O queues across a controller reset.
 *
 * poll_queues and write_queues may be changed at run time; each reset asks
 * the controller again for as many queues as the parameters want, and takes
 * what it grants.  When that changes the queues or their split between the
 * blk-mq maps, blk-mq has to be told, and the requests the reset handed
 * back for a retry stay bound to the hardware context they were started
 * on.  So the switch runs in two steps:
 *  1. the reset re-creates the queues it had (as many as are granted), and
 *     the namespace queues are frozen and unquiesced: the requests already
 *     in flight complete on their old queues, new ones wait;
 *  2. with nothing in flight, every I/O queue is deleted and freed, the new
 *     set is allocated and created, shadow doorbells are set up for it,
 *     blk_mq_update_nr_hw_queues() re-maps the hardware contexts, and the
 *     namespace queues are unfrozen.
 */
#include <linux/sched/mm.h>
#include "../lnvme.h"

/* What the parameters ask for now, within the vectors and queues array. */
static void lnvme_qcount_want(struct lnvme_ctrl *ctrl, unsigned int *nr_irq,
			      unsigned int *nr_poll)
{
	unsigned int irq = lnvme_want_irq_queues(ctrl->max_qid);

	irq = min(irq, max(ctrl->nr_vecs, 2U) - 1);
	*nr_irq = irq;
	*nr_poll = min(READ_ONCE(lnvme_poll_queues), ctrl->max_qid - irq);
}

/*
 * Set Features (Number of Queues) after a reset.  Ask for at least the
 * queues in use before the reset, so that they can be re-created for the
 * requests still bound to them; @next gets what the parameters want within
 * what the controller grants, and @granted the grant itself.
 */
int lnvme_qcount_negotiate(struct lnvme_ctrl *ctrl, struct lnvme_qcount *next,
			   unsigned int *granted)
{
	int ret;

	lnvme_qcount_want(ctrl, &next->nr_irq, &next->nr_poll);
	*granted = max(next->nr_irq + next->nr_poll, ctrl->nr_io_queues);
	ret = lnvme_set_queue_count(ctrl, granted);
	if (ret)
		return ret;
	lnvme_fit_queues(*granted, &next->nr_irq, &next->nr_poll);
	if (!next->nr_irq) {
		dev_err(ctrl->dev, "controller grants no I/O queue\n");
		return -EIO;
	}
	lnvme_split_queues(next->nr_irq, next->nr_poll, next->nr_map);
	return 0;
}

bool lnvme_qcount_changed(struct lnvme_ctrl *ctrl,
			  const struct lnvme_qcount *next)
{
	return next->nr_irq + next->nr_poll != ctrl->nr_io_queues ||
	       memcmp(next->nr_map, ctrl->nr_map_queues,
		      sizeof(next->nr_map));
}

/* Delete the I/O queues on the controller; stop at the first failure. */
static int lnvme_qcount_delete(struct lnvme_ctrl *ctrl)
{
	unsigned int qid;
	int ret;

	for (qid = ctrl->nr_io_queues; qid >= 1; qid--) {
		ret = lnvme_delete_io_queue(&ctrl->queues[qid]);
		if (ret) {
			lnvme_admin_log(ctrl, KERN_ERR, ret,
					"cannot delete I/O queue %u", qid);
			return lnvme_admin_errno(ret);
		}
	}
	return 0;
}

/* Replace every I/O queue by the set @next describes. */
static int lnvme_qcount_recreate(struct lnvme_ctrl *ctrl,
				 const struct lnvme_qcount *next)
{
	unsigned int qid;
	int ret;

	ret = lnvme_qcount_delete(ctrl);
	if (ret)
		return ret;
	lnvme_free_io_queues(ctrl);
	memcpy(ctrl->nr_map_queues, next->nr_map, sizeof(next->nr_map));
	for (qid = 1; qid <= next->nr_irq + next->nr_poll; qid++) {
		ret = lnvme_ctrl_create_io_queue(ctrl, qid, qid > next->nr_irq);
		if (ret)
			return ret;
	}
	lnvme_dbbuf_setup(ctrl);
	return 0;
}

/* Hardware contexts may have new tags after a re-map. */
static void lnvme_qcount_update_tags(struct lnvme_ctrl *ctrl)
{
	unsigned int qid;

	for (qid = 1; qid <= ctrl->nr_io_queues; qid++)
		ctrl->queues[qid].tags = ctrl->io_set.tags[qid - 1];
}

/*
 * From the reset, once the queues in use before it are re-created (those
 * the controller still grants) and the controller is CONNECTING: drain
 * them, then switch to the queues of @next.  The I/O queues are unquiesced
 * on return, whatever the outcome; on error the controller is dead.
 */
int lnvme_qcount_switch(struct lnvme_ctrl *ctrl,
			const struct lnvme_qcount *next)
{
	unsigned int old[HCTX_MAX_TYPES], old_count = ctrl->nr_io_queues, i;
	struct gendisk **disks;
	unsigned int noio;
	int ret;

	/*
	 * A namespace added from now on would miss the freeze: none is
	 * (lnvme_ns_add()).  One being added is on the list and frozen.
	 */
	set_bit(LNVME_NS_ADD_BLOCKED, &ctrl->flags);
	disks = lnvme_ns_freeze_all(ctrl, false);
	if (!disks) {
		clear_bit(LNVME_NS_ADD_BLOCKED, &ctrl->flags);
		lnvme_ctrl_kill(ctrl, "cannot switch to the new I/O queues");
		return -ENOMEM;
	}
	if (test_and_clear_bit(LNVME_IO_QUIESCED, &ctrl->flags))
		blk_mq_unquiesce_tagset(&ctrl->io_set);
	for (i = 0; disks[i]; i++)
		blk_mq_freeze_queue_wait(disks[i]->queue);

	/* A command timed out meanwhile, and its handler disabled us. */
	ret = -EIO;
	if (test_bit(LNVME_ADMIN_QUIESCED, &ctrl->flags) ||
	    lnvme_ctrl_state(ctrl) != LNVME_STATE_CONNECTING)
		goto kill;

	memcpy(old, ctrl->nr_map_queues, sizeof(old));
	/* No reclaim may write to the frozen disks: it would wait for us. */
	noio = memalloc_noio_save();
	ret = lnvme_qcount_recreate(ctrl, next);
	memalloc_noio_restore(noio);
	if (ret)
		goto kill;
	blk_mq_update_nr_hw_queues(&ctrl->io_set, ctrl->nr_io_queues);
	lnvme_qcount_update_tags(ctrl);
	dev_info(ctrl->dev, "I/O queues: %u (%u default, %u read, %u poll), were %u (%u default, %u read, %u poll)\n",
		 ctrl->nr_io_queues, next->nr_map[HCTX_TYPE_DEFAULT],
		 next->nr_map[HCTX_TYPE_READ], next->nr_map[HCTX_TYPE_POLL],
		 old_count, old[HCTX_TYPE_DEFAULT], old[HCTX_TYPE_READ],
		 old[HCTX_TYPE_POLL]);
	lnvme_ns_unfreeze_all(disks);
	clear_bit(LNVME_NS_ADD_BLOCKED, &ctrl->flags);
	return 0;

kill:
	/* Dead before unfreezing, so that waiting I/O fails fast. */
	lnvme_ctrl_kill(ctrl, "cannot switch to the new I/O queues");
	lnvme_ns_unfreeze_all(disks);
	clear_bit(LNVME_NS_ADD_BLOCKED, &ctrl->flags);
	return ret;
}
