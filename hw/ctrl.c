// SPDX-License-Identifier: GPL-2.0
/*
 * Controller bring-up and teardown, and the controller state machine.
 *
 * Bring-up: read CAP, disable, set up the admin queue, enable, Identify
 * Controller, negotiate and create the I/O queues, then scan namespaces.
 * Teardown runs the same steps backwards and shuts the controller down.
 */
#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include "../lnvme.h"

static const char * const lnvme_state_names[] = {
	[LNVME_STATE_NEW]		= "new",
	[LNVME_STATE_LIVE]		= "live",
	[LNVME_STATE_RESETTING]		= "resetting",
	[LNVME_STATE_CONNECTING]	= "connecting",
	[LNVME_STATE_DELETING]		= "deleting",
	[LNVME_STATE_DEAD]		= "dead",
};

static bool lnvme_state_allowed(enum lnvme_state old, enum lnvme_state new)
{
	switch (new) {
	case LNVME_STATE_LIVE:
		return old == LNVME_STATE_NEW || old == LNVME_STATE_CONNECTING;
	case LNVME_STATE_RESETTING:
		return old == LNVME_STATE_LIVE;
	case LNVME_STATE_CONNECTING:
		return old == LNVME_STATE_RESETTING;
	case LNVME_STATE_DELETING:
		return old != LNVME_STATE_DELETING && old != LNVME_STATE_DEAD;
	case LNVME_STATE_DEAD:
		return old != LNVME_STATE_DEAD;
	default:
		return false;
	}
}

/* Every state change goes through here; returns false if not allowed. */
bool lnvme_ctrl_set_state(struct lnvme_ctrl *ctrl, enum lnvme_state new)
{
	enum lnvme_state old;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ctrl->state_lock, flags);
	old = ctrl->state;
	ok = lnvme_state_allowed(old, new);
	if (ok)
		WRITE_ONCE(ctrl->state, new);
	spin_unlock_irqrestore(&ctrl->state_lock, flags);
	if (ok)
		dev_dbg(ctrl->dev, "state %s -> %s\n", lnvme_state_names[old],
			lnvme_state_names[new]);
	return ok;
}

enum lnvme_state lnvme_ctrl_state(struct lnvme_ctrl *ctrl)
{
	return READ_ONCE(ctrl->state);
}

const char *lnvme_ctrl_state_name(struct lnvme_ctrl *ctrl)
{
	return lnvme_state_names[lnvme_ctrl_state(ctrl)];
}

/*
 * Stop blk-mq from calling queue_rq, on the I/O queues and the admin queue.
 * Quiesce and unquiesce run under disable_lock (but for the I/O queues'
 * unquiesce in lnvme_qcount_switch()).
 */
void lnvme_ctrl_quiesce(struct lnvme_ctrl *ctrl)
{
	if (ctrl->io_set_ready && !test_and_set_bit(LNVME_IO_QUIESCED, &ctrl->flags))
		blk_mq_quiesce_tagset(&ctrl->io_set);
	if (ctrl->admin_q && !test_and_set_bit(LNVME_ADMIN_QUIESCED, &ctrl->flags))
		blk_mq_quiesce_queue(ctrl->admin_q);
}

void lnvme_ctrl_unquiesce(struct lnvme_ctrl *ctrl)
{
	if (ctrl->admin_q && test_and_clear_bit(LNVME_ADMIN_QUIESCED, &ctrl->flags))
		blk_mq_unquiesce_queue(ctrl->admin_q);
	if (ctrl->io_set_ready && test_and_clear_bit(LNVME_IO_QUIESCED, &ctrl->flags))
		blk_mq_unquiesce_tagset(&ctrl->io_set);
}

/*
 * Stop the controller from touching host memory: clear CC.EN and wait for
 * CSTS.RDY = 0.  If it does not get there (CSTS.RDY stays set, or the
 * registers read all ones), fence it: clear Bus Master Enable, so that
 * nothing it still holds (queue entries, data buffers) can be read or
 * written once the caller unmaps or frees them.  The reset sets bus
 * mastering again, and only after a disable that completed.  Returns 0 when
 * the controller is disabled, else the error of the disable.
 */
static int lnvme_ctrl_halt(struct lnvme_ctrl *ctrl)
{
	int ret;

	lockdep_assert_held(&ctrl->disable_lock);
	ret = lnvme_regs_disable(ctrl);
	if (ret && !test_and_set_bit(LNVME_FENCED, &ctrl->flags)) {
		/* A device that is gone has no config space left to write. */
		if (pci_device_is_present(ctrl->pdev))
			pci_clear_master(ctrl->pdev);
		dev_err(ctrl->dev, "controller did not disable (%d): bus mastering off\n",
			ret);
	}
	return ret;
}

/*
 * The one way to disable the controller, under disable_lock (see lnvme.h):
 * quiesce, halt it (disable, or fence when it does not disable), reap what
 * it completed and end the requests still in flight, once each: with
 * @retry, file system I/O goes back to blk-mq to be sent again later.  On a
 * dead controller nothing is retried and the queues are unquiesced, so
 * that whatever waits fails fast.  Returns 0 when the controller disabled,
 * else the error of the disable (it is then fenced).
 */
int lnvme_ctrl_disable(struct lnvme_ctrl *ctrl, bool retry)
{
	unsigned int qid;
	int ret;

	mutex_lock(&ctrl->disable_lock);
	lnvme_ctrl_quiesce(ctrl);
	ret = lnvme_ctrl_halt(ctrl);
	for (qid = 0; qid <= ctrl->nr_io_queues; qid++)
		lnvme_queue_set_created(&ctrl->queues[qid], false);
	/* A disabled controller forgets its event request; the reset sends one. */
	clear_bit(LNVME_EVENT_PENDING, &ctrl->flags);
	if (lnvme_ctrl_state(ctrl) == LNVME_STATE_DEAD)
		retry = false;
	lnvme_cancel_requests(ctrl, retry);
	if (lnvme_ctrl_state(ctrl) == LNVME_STATE_DEAD)
		lnvme_ctrl_unquiesce(ctrl);
	mutex_unlock(&ctrl->disable_lock);
	return ret;
}

/*
 * The controller cannot go on: stop it from touching memory, and fail every
 * request it holds.  New I/O fails fast in queue_rq from now on.  @why is
 * logged as an error; NULL for an orderly end such as system shutdown.
 */
void lnvme_ctrl_kill(struct lnvme_ctrl *ctrl, const char *why)
{
	if (!lnvme_ctrl_set_state(ctrl, LNVME_STATE_DEAD))
		return;
	if (why)
		dev_err(ctrl->dev, "controller is dead: %s\n", why);
	/* Dead: the pass fails every request and unquiesces. */
	lnvme_ctrl_disable(ctrl, false);
}

static void lnvme_copy_id_string(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
	strim(dst);
}

static int lnvme_ctrl_identify(struct lnvme_ctrl *ctrl)
{
	struct nvme_id_ctrl *id;
	u32 rtd3e;
	int ret;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	ret = lnvme_identify(ctrl, NVME_ID_CNS_CTRL, 0, id);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_ERR, ret, "Identify Controller failed");
		kfree(id);
		return lnvme_admin_errno(ret);
	}

	lnvme_copy_id_string(ctrl->serial, id->sn, sizeof(id->sn));
	lnvme_copy_id_string(ctrl->model, id->mn, sizeof(id->mn));
	lnvme_copy_id_string(ctrl->firmware, id->fr, sizeof(id->fr));
	ctrl->nn = le32_to_cpu(id->nn);
	ctrl->oncs = le16_to_cpu(id->oncs);
	ctrl->oacs = le16_to_cpu(id->oacs);
	ctrl->vwc = id->vwc;
	ctrl->sgls = le32_to_cpu(id->sgls);
	ctrl->sgl_ok = ctrl->sgls & LNVME_SGLS_SUPPORTED;
	ctrl->acl = id->acl + 1;
	ctrl->oaes = le32_to_cpu(id->oaes);

	/* MDTS is a power of two in units of the minimum page size. */
	ctrl->max_hw_sectors = LNVME_MAX_XFER_SECTORS;
	if (id->mdts) {
		u32 shift = id->mdts + 12 + NVME_CAP_MPSMIN(ctrl->cap) - SECTOR_SHIFT;

		if (shift < 32)
			ctrl->max_hw_sectors = min_t(u32, ctrl->max_hw_sectors,
						     1U << shift);
	}

	/* swiotlb and some IOMMUs cannot map a transfer as large as MDTS. */
	ctrl->max_hw_sectors = min_t(u32, ctrl->max_hw_sectors,
				     (dma_max_mapping_size(ctrl->dev) &
				      ~(size_t)(LNVME_CTRL_PAGE_SIZE - 1)) >>
				     SECTOR_SHIFT);

	rtd3e = le32_to_cpu(id->rtd3e);
	ctrl->shutdown_timeout = clamp_t(u32, rtd3e / 1000, 5000, 60000);
	kfree(id);

	dev_info(ctrl->dev, "%s, serial %s, firmware %s, NVMe %u.%u, %u namespaces\n",
		 ctrl->model, ctrl->serial, ctrl->firmware, ctrl->vs >> 16,
		 (ctrl->vs >> 8) & 0xff, ctrl->nn);
	return 0;
}

/* Highest queue id whose doorbells fit in BAR0. */
static unsigned int lnvme_max_qid_in_bar(struct lnvme_ctrl *ctrl)
{
	resource_size_t len = pci_resource_len(ctrl->pdev, 0);
	u32 pair = 2 * sizeof(u32) * ctrl->db_stride;

	if (len < NVME_REG_DBS + pair)
		return 0;
	return (len - NVME_REG_DBS) / pair - 1;
}

void lnvme_free_io_queues(struct lnvme_ctrl *ctrl)
{
	unsigned int qid;

	for (qid = ctrl->nr_io_queues; qid >= 1; qid--) {
		lnvme_irq_free(&ctrl->queues[qid]);
		lnvme_queue_free(&ctrl->queues[qid]);
	}
	ctrl->nr_io_queues = 0;
}

void lnvme_delete_io_queues(struct lnvme_ctrl *ctrl)
{
	unsigned int qid;

	for (qid = ctrl->nr_io_queues; qid >= 1; qid--)
		lnvme_delete_io_queue(&ctrl->queues[qid]);
}

/*
 * Split the interrupt-driven queues between the DEFAULT map and, when
 * write_queues is set, the READ map; polled queues form the POLL map.
 */
void lnvme_split_queues(unsigned int nr_irq, unsigned int nr_poll,
			unsigned int *nr_map)
{
	unsigned int write_queues = READ_ONCE(lnvme_write_queues);
	unsigned int nr_read = 0;

	if (write_queues && write_queues < nr_irq)
		nr_read = nr_irq - write_queues;
	nr_map[HCTX_TYPE_DEFAULT] = nr_irq - nr_read;
	nr_map[HCTX_TYPE_READ] = nr_read;
	nr_map[HCTX_TYPE_POLL] = nr_poll;
}

/*
 * Interrupt-driven I/O queues wanted: max_io_queues, or one per possible
 * CPU, within the @max_qid queues the doorbells allow.
 */
unsigned int lnvme_want_irq_queues(unsigned int max_qid)
{
	unsigned int nr_irq = lnvme_max_io_queues ?: num_possible_cpus();

	return min3(nr_irq, num_possible_cpus(), max_qid);
}

/*
 * Fewer queues granted than asked for: interrupt-driven ones first.  No
 * more poll queues than CPUs: blk-mq cannot spread more over them (it
 * warns), and a poll queue without a CPU would never be polled.
 */
void lnvme_fit_queues(unsigned int granted, unsigned int *nr_irq,
		      unsigned int *nr_poll)
{
	*nr_irq = min(*nr_irq, granted);
	*nr_poll = min3(*nr_poll, granted - *nr_irq, num_possible_cpus());
}

/* Allocate queue @qid, give it its interrupt and create it. */
int lnvme_ctrl_create_io_queue(struct lnvme_ctrl *ctrl, u16 qid, bool polled)
{
	struct lnvme_queue *nq = &ctrl->queues[qid];
	int ret;

	ret = lnvme_queue_alloc(ctrl, qid, ctrl->io_depth);
	if (ret)
		return ret;
	ctrl->nr_io_queues = qid;
	if (!polled) {
		nq->vector = ctrl->nr_vecs > 1 ? qid : 0;
		ret = lnvme_irq_request(nq);
		if (ret)
			return ret;
	}
	return lnvme_create_io_queue(nq);
}

static int lnvme_ctrl_setup_io_queues(struct lnvme_ctrl *ctrl,
				      unsigned int nr_irq, unsigned int nr_poll)
{
	unsigned int granted = nr_irq + nr_poll, qid;
	int ret;

	ret = lnvme_set_queue_count(ctrl, &granted);
	if (ret)
		return ret;
	lnvme_fit_queues(granted, &nr_irq, &nr_poll);

	ret = lnvme_irq_setup_io(ctrl, nr_irq);
	if (ret < 0)
		return ret;
	nr_irq = min_t(unsigned int, nr_irq, ret);
	lnvme_split_queues(nr_irq, nr_poll, ctrl->nr_map_queues);

	ctrl->io_depth = min_t(u32, lnvme_io_queue_depth,
			       NVME_CAP_MQES(ctrl->cap) + 1);
	for (qid = 1; qid <= nr_irq + nr_poll; qid++) {
		ret = lnvme_ctrl_create_io_queue(ctrl, qid, qid > nr_irq);
		if (ret)
			goto delete_io_queues;
	}
	dev_info(ctrl->dev, "%u I/O queues (%u default, %u read, %u poll) of depth %u, %u interrupt vectors\n",
		 ctrl->nr_io_queues, ctrl->nr_map_queues[HCTX_TYPE_DEFAULT],
		 ctrl->nr_map_queues[HCTX_TYPE_READ],
		 ctrl->nr_map_queues[HCTX_TYPE_POLL], ctrl->io_depth,
		 ctrl->nr_vecs);
	return 0;
delete_io_queues:
	/* The caller frees them, once the controller is disabled. */
	lnvme_delete_io_queues(ctrl);
	return ret;
}

static int lnvme_ctrl_read_cap(struct lnvme_ctrl *ctrl)
{
	ctrl->cap = lo_hi_readq(ctrl->bar + NVME_REG_CAP);
	if (ctrl->cap == ~0ULL) {
		dev_err(ctrl->dev, "device not responding (CAP reads all ones)\n");
		return -ENODEV;
	}
	ctrl->vs = readl(ctrl->bar + NVME_REG_VS);
	if (NVME_CAP_MPSMIN(ctrl->cap) > LNVME_CTRL_PAGE_SHIFT - 12) {
		dev_err(ctrl->dev, "minimum page size %u KiB is not supported\n",
			4U << NVME_CAP_MPSMIN(ctrl->cap));
		return -ENODEV;
	}
	ctrl->db_stride = 1U << NVME_CAP_STRIDE(ctrl->cap);
	ctrl->dbs = ctrl->bar + NVME_REG_DBS;
	ctrl->shutdown_timeout = 5000;
	return 0;
}

int lnvme_ctrl_start(struct lnvme_ctrl *ctrl)
{
	unsigned int nr_irq, nr_poll, max_qid;
	int ret;

	ret = lnvme_ctrl_read_cap(ctrl);
	if (ret)
		return ret;

	max_qid = lnvme_max_qid_in_bar(ctrl);
	nr_irq = lnvme_want_irq_queues(max_qid);
	if (!nr_irq) {
		dev_err(ctrl->dev, "BAR0 too small for any I/O queue\n");
		return -ENODEV;
	}
	/* Room for the most poll queues a later reset may ask for. */
	ctrl->max_qid = min(nr_irq + LNVME_MAX_POLL_QUEUES, max_qid);
	nr_poll = min(READ_ONCE(lnvme_poll_queues), ctrl->max_qid - nr_irq);
	ctrl->queues = kcalloc(ctrl->max_qid + 1, sizeof(*ctrl->queues),
			       GFP_KERNEL);
	if (!ctrl->queues)
		return -ENOMEM;

	ret = lnvme_queue_alloc(ctrl, 0, LNVME_AQ_DEPTH);
	if (ret)
		goto free_queues;
	ret = lnvme_regs_disable(ctrl);
	if (ret)
		goto free_aq;
	ret = lnvme_irq_setup_admin(ctrl);
	if (ret)
		goto free_aq;
	ret = lnvme_admin_tagset_init(ctrl);
	if (ret)
		goto free_irq;
	ret = lnvme_regs_enable(ctrl);
	if (ret)
		goto disable;
	lnvme_queue_set_created(&ctrl->queues[0], true);

	ret = lnvme_ctrl_identify(ctrl);
	if (ret)
		goto disable;
	ret = lnvme_ctrl_setup_io_queues(ctrl, nr_irq, nr_poll);
	if (ret)
		goto disable;
	lnvme_dbbuf_setup(ctrl);
	lnvme_set_irq_coalescing(ctrl);
	ret = lnvme_io_tagset_init(ctrl);
	if (ret)
		goto delete_io_queues;
	if (!lnvme_ctrl_set_state(ctrl, LNVME_STATE_LIVE)) {
		ret = -ENODEV;
		goto free_io_tags;
	}
	lnvme_set_aen_config(ctrl);
	lnvme_event_submit(ctrl);
	return 0;

free_io_tags:
	lnvme_io_tagset_exit(ctrl);
delete_io_queues:
	lnvme_delete_io_queues(ctrl);
disable:
	/* Disabled (or fenced) before its queues and buffers are freed. */
	lnvme_ctrl_disable(ctrl, false);
	lnvme_dbbuf_free(ctrl);
	lnvme_free_io_queues(ctrl);
	lnvme_admin_tagset_exit(ctrl);
free_irq:
	lnvme_irq_free(&ctrl->queues[0]);
	lnvme_irq_release(ctrl);
free_aq:
	lnvme_queue_free(&ctrl->queues[0]);
free_queues:
	kfree(ctrl->queues);
	ctrl->queues = NULL;
	return ret;
}

void lnvme_ctrl_stop(struct lnvme_ctrl *ctrl)
{
	lnvme_ctrl_set_state(ctrl, LNVME_STATE_DELETING);
	/* Wait for ioctls in progress; later ones see ctrl->removing. */
	down_write(&ctrl->teardown_rwsem);
	ctrl->removing = true;
	up_write(&ctrl->teardown_rwsem);
	/* A reset in progress ends with the controller dead or live. */
	flush_work(&ctrl->reset_work);
	flush_work(&ctrl->event_work);
	/* Removal overtook a reset: the controller is disabled, queues held. */
	if (ctrl->flags & (BIT(LNVME_IO_QUIESCED) | BIT(LNVME_ADMIN_QUIESCED)))
		lnvme_ctrl_kill(ctrl, "removed during reset");
	lnvme_ns_remove_all(ctrl);
	lnvme_health_stop(ctrl);

	/*
	 * A dead controller is disabled or fenced already; a live one that
	 * does not complete its shutdown is disabled (or fenced) before its
	 * queues and shadow doorbells are freed.
	 */
	if (lnvme_ctrl_state(ctrl) != LNVME_STATE_DEAD) {
		lnvme_delete_io_queues(ctrl);
		if (lnvme_regs_shutdown(ctrl))
			lnvme_ctrl_disable(ctrl, false);
	}
	lnvme_dbbuf_free(ctrl);
	lnvme_free_io_queues(ctrl);
	lnvme_io_tagset_exit(ctrl);
	lnvme_admin_tagset_exit(ctrl);
	lnvme_irq_free(&ctrl->queues[0]);
	/* No event request completion can arrive any more. */
	cancel_work_sync(&ctrl->event_work);
	lnvme_health_stop(ctrl);
	cancel_work_sync(&ctrl->scan_work);
	lnvme_irq_release(ctrl);
	lnvme_queue_free(&ctrl->queues[0]);
	kfree(ctrl->queues);
	ctrl->queues = NULL;
}
