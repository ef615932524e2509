// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe Asynchronous Event Requests (not PCIe AER: that is hw/pcierr.c).
 * One event request is kept outstanding on the admin queue, outside the
 * blk-mq tags (command id LNVME_EVENT_CID), because it completes only when
 * the controller has something to say.  Its completion is handled from a
 * work item: namespace changes trigger a rescan, SMART / Health events
 * have their critical warning logged once per episode (lnvme_smart_note()),
 * every event has its log page read to clear it, and a new event request
 * is sent.
 *
 * Two parties send event requests: the event work, after handling an
 * event, and the bring-up or reset, once the admin queue runs.  The event
 * work may still be running (a log page read, a rescan) while a reset
 * disables the controller and rewrites the admin SQ tail.  So an event
 * request is written only from lnvme_event_submit(), which under the admin
 * queue's sq_lock checks that the admin queue is live on the controller
 * (queues[0].created, cleared by the disable and set by the re-enable, both
 * under that lock) and that no event request is outstanding
 * (LNVME_EVENT_PENDING): the reset's re-init of the admin queue and an
 * event request submission never interleave, and at most one event request
 * with command id LNVME_EVENT_CID is ever outstanding.
 */
#include "../lnvme.h"

#define LNVME_AEN_TYPE(r)	((r) & 0x7)
#define LNVME_AEN_INFO(r)	(((r) >> 8) & 0xff)
#define LNVME_AEN_LID(r)	(((r) >> 16) & 0xff)

/* Send an event request if none is outstanding and the admin queue is live. */
void lnvme_event_submit(struct lnvme_ctrl *ctrl)
{
	struct lnvme_queue *aq = &ctrl->queues[0];
	struct nvme_command c = { };

	c.common.opcode = nvme_admin_async_event;
	c.common.command_id = LNVME_EVENT_CID;
	spin_lock(&aq->sq_lock);
	if (aq->created &&
	    !test_and_set_bit(LNVME_EVENT_PENDING, &ctrl->flags)) {
		lnvme_sq_write_locked(aq, &c);
		lnvme_sq_ring_locked(aq);
	}
	spin_unlock(&aq->sq_lock);
}

/* From the admin queue's completion handler. */
void lnvme_event_complete(struct lnvme_ctrl *ctrl, struct nvme_completion *cqe)
{
	ctrl->event_status = le16_to_cpu(cqe->status) >> 1;
	ctrl->event_result = le32_to_cpu(cqe->result.u32);
	clear_bit(LNVME_EVENT_PENDING, &ctrl->flags);
	queue_work(system_long_wq, &ctrl->event_work);
}

/*
 * Read log page @lid (NSID all) into @buf, @len bytes (a multiple of 4).
 * Without Retain Asynchronous Event, so reading the page named by an event
 * clears the event and lets the controller report the next one of its
 * type.  lnvme_admin_exec()'s return value.
 */
int lnvme_get_log(struct lnvme_ctrl *ctrl, u8 lid, void *buf, unsigned int len)
{
	struct nvme_command c = { };

	c.get_log_page.opcode = nvme_admin_get_log_page;
	c.get_log_page.nsid = cpu_to_le32(NVME_NSID_ALL);
	c.get_log_page.lid = lid;
	c.get_log_page.numdl = cpu_to_le16(len / 4 - 1);
	return lnvme_admin_exec(ctrl, &c, buf, len, NULL);
}

/* The composite temperature of a SMART / Health log, in Kelvin. */
unsigned int lnvme_smart_temp(const struct nvme_smart_log *log)
{
	return log->temperature[0] | log->temperature[1] << 8;
}

static const char * const lnvme_smart_warning_names[] = {
	"available spare below threshold",
	"temperature threshold crossed",
	"NVM subsystem reliability degraded",
	"media read-only",
	"volatile memory backup failed",
	"persistent memory region read-only or unreliable",
};

/*
 * Take note of the critical warning bits of a SMART / Health log just read
 * (by the event work or by a hwmon read).  A warning is logged once, when
 * its bit appears, not at every event or read while it stays set; it is
 * logged again only after a read saw it clear.  Rate-limited per
 * controller, for a controller whose warnings flap.
 */
void lnvme_smart_note(struct lnvme_ctrl *ctrl, const struct nvme_smart_log *log)
{
	unsigned int warn = log->critical_warning;
	unsigned int old = atomic_xchg(&ctrl->smart_warning, warn);
	unsigned long set = warn & ~old;
	unsigned int bit;

	if (old & ~warn && __ratelimit(&ctrl->smart_rs))
		dev_info(ctrl->dev, "SMART critical warning %#x cleared (now %#x)\n",
			 old & ~warn, warn);
	if (!set || !__ratelimit(&ctrl->smart_rs))
		return;
	for_each_set_bit(bit, &set, 8)
		dev_crit(ctrl->dev, "SMART critical warning: %s (composite temperature %d C, available spare %u%%, threshold %u%%, %u%% used)\n",
			 bit < ARRAY_SIZE(lnvme_smart_warning_names) ?
			 lnvme_smart_warning_names[bit] : "unknown",
			 (int)lnvme_smart_temp(log) - 273, log->avail_spare,
			 log->spare_thresh, log->percent_used);
}

/* A SMART / Health event: read the log, which also clears the event. */
static void lnvme_event_smart(struct lnvme_ctrl *ctrl)
{
	struct nvme_smart_log *log;
	int ret;

	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return;
	ret = lnvme_get_log(ctrl, NVME_LOG_SMART, log, sizeof(*log));
	if (ret)
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"SMART / Health log not read after a health event");
	else
		lnvme_smart_note(ctrl, log);
	kfree(log);
}

static void lnvme_event_read_log(struct lnvme_ctrl *ctrl, u8 lid)
{
	void *buf;

	buf = kzalloc(LNVME_CTRL_PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return;
	lnvme_get_log(ctrl, lid, buf, LNVME_CTRL_PAGE_SIZE);
	kfree(buf);
}

static void lnvme_event_work(struct work_struct *work)
{
	struct lnvme_ctrl *ctrl = container_of(work, struct lnvme_ctrl, event_work);
	u32 result = ctrl->event_result;
	u16 status = ctrl->event_status;
	u8 type = LNVME_AEN_TYPE(result), lid = LNVME_AEN_LID(result);

	/* Aborted by a reset or shutdown: the reset sends a new one. */
	if (status || lnvme_ctrl_state(ctrl) != LNVME_STATE_LIVE) {
		if (status && (status & NVME_SCT_SC_MASK) != NVME_SC_ABORT_REQ)
			dev_warn(ctrl->dev, "async event request failed: status %#x\n",
				 status);
		return;
	}

	dev_info_ratelimited(ctrl->dev, "async event: type %u info %#x log page %#x\n",
			     type, LNVME_AEN_INFO(result), lid);
	if (type == NVME_AER_SMART && lid == NVME_LOG_SMART)
		lnvme_event_smart(ctrl);
	else if (lid)
		lnvme_event_read_log(ctrl, lid);
	if (type == NVME_AER_NOTICE &&
	    LNVME_AEN_INFO(result) == NVME_AER_NOTICE_NS_CHANGED)
		lnvme_ns_queue_scan(ctrl);
	/*
	 * A reset may have run meanwhile and sent its own event request:
	 * then this is a no-op (see the top of this file).
	 */
	lnvme_event_submit(ctrl);
}

void lnvme_event_prepare(struct lnvme_ctrl *ctrl)
{
	INIT_WORK(&ctrl->event_work, lnvme_event_work);
	atomic_set(&ctrl->smart_warning, 0);
	ratelimit_state_init(&ctrl->smart_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
}
