// SPDX-License-Identifier: GPL-2.0
/*
 * Holding the controller stopped while the platform resets it or powers it
 * down: a function-level reset, PCI error recovery, system sleep.
 *
 * lnvme_hold() runs step 1 of the controller reset (hw/reset.c): the
 * controller goes LIVE -> RESETTING, the queues are quiesced, the controller
 * is disabled and every request in flight is handed back to blk-mq, to be
 * sent again later; nothing fails.  The controller then stays RESETTING
 * with the queues quiesced, so that no reset, timeout or command touches it,
 * until lnvme_hold_release() runs steps 2 and 3 (enable, re-create the I/O
 * queues and shadow doorbells, re-arm the async event, unquiesce, rescan)
 * in the reset work.  There is no second recovery path.
 *
 * Both are called under the PCI device's lock (reset_prepare/reset_done,
 * the error handlers, the PM callbacks), which serialises them and the
 * LNVME_HELD bit (lnvme.h) with each other and with probe and remove.
 */
#include <linux/delay.h>
#include "../lnvme.h"

/* How long a suspend waits for the commands in flight before disabling. */
#define LNVME_HOLD_DRAIN_MS	2000
/* How long a fatal PCIe error may hold the controller before it restarts. */
#define LNVME_HOLD_WATCHDOG_S	30

static bool lnvme_hold_count_busy(struct request *req, void *data)
{
	(*(unsigned int *)data)++;
	return true;
}

static unsigned int lnvme_hold_busy(struct lnvme_ctrl *ctrl)
{
	unsigned int busy = 0;

	if (ctrl->io_set_ready)
		blk_mq_tagset_busy_iter(&ctrl->io_set, lnvme_hold_count_busy,
					&busy);
	blk_mq_tagset_busy_iter(&ctrl->admin_set, lnvme_hold_count_busy,
				&busy);
	return busy;
}

/*
 * Before a power-down: stop new commands, give those in flight a moment to
 * complete, and shut the controller down normally (CC.SHN, within the time
 * RTD3E asks for) so that it saves its state.  What did not complete in
 * time is handed back by the disable that follows.
 */
static void lnvme_hold_shutdown(struct lnvme_ctrl *ctrl)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(LNVME_HOLD_DRAIN_MS);
	int ret;

	mutex_lock(&ctrl->disable_lock);
	lnvme_ctrl_quiesce(ctrl);
	mutex_unlock(&ctrl->disable_lock);
	while (lnvme_hold_busy(ctrl) && time_before(jiffies, deadline))
		usleep_range(10000, 20000);

	mutex_lock(&ctrl->disable_lock);
	ret = lnvme_regs_shutdown(ctrl);
	mutex_unlock(&ctrl->disable_lock);
	if (ret)
		dev_warn(ctrl->dev, "shutdown did not complete (%d): disabling\n",
			 ret);
}

/*
 * Stop the controller and keep it stopped; @shutdown: shut it down first
 * (power-down).  Waits for a reset in progress.  True once held (also when
 * it was held already), false when the controller is not live: dead, or
 * being removed.
 */
bool lnvme_hold(struct lnvme_ctrl *ctrl, bool shutdown)
{
	enum lnvme_state state;

	device_lock_assert(ctrl->dev);
	for (;;) {
		if (test_bit(LNVME_HELD, &ctrl->flags))
			return true;
		flush_work(&ctrl->reset_work);
		if (lnvme_ctrl_set_state(ctrl, LNVME_STATE_RESETTING))
			break;
		state = lnvme_ctrl_state(ctrl);
		if (state != LNVME_STATE_RESETTING &&
		    state != LNVME_STATE_CONNECTING)
			return false;
		/* A timeout set RESETTING and has yet to queue the reset. */
		usleep_range(10000, 20000);
	}
	set_bit(LNVME_HELD, &ctrl->flags);
	if (shutdown)
		lnvme_hold_shutdown(ctrl);
	lnvme_ctrl_disable(ctrl, true);
	return true;
}

/*
 * Restart a held controller in the reset work; @wait for the outcome.
 * Returns 0 once live (or queued, without @wait), -ENODEV when it was not
 * held and is not live, -EIO when the reset failed (the controller is then
 * dead and its disks fail I/O).
 */
int lnvme_hold_release(struct lnvme_ctrl *ctrl, bool wait)
{
	device_lock_assert(ctrl->dev);
	/* Restoring the config space consumes the saved copy: keep one. */
	pci_save_state(ctrl->pdev);
	if (!test_and_clear_bit(LNVME_HELD, &ctrl->flags))
		return lnvme_ctrl_state(ctrl) == LNVME_STATE_LIVE ? 0 : -ENODEV;
	cancel_delayed_work(&ctrl->hold_watchdog);
	lnvme_reset_queue(ctrl);
	if (!wait)
		return 0;
	flush_work(&ctrl->reset_work);
	return lnvme_ctrl_state(ctrl) == LNVME_STATE_LIVE ? 0 : -EIO;
}

/*
 * The PCI core's recovery from a fatal error did not reach slot_reset in
 * time (e.g. "device recovery failed" when the link did not come back):
 * the core calls no handler after such a failure, so without this the
 * controller would stay held and its I/O wait forever.  Restore the config
 * space and restart the controller through the reset work; if the function
 * does not answer, that reset fails and the controller is dead, its disks
 * failing I/O.  The device lock is only tried: remove holds it while it
 * cancels this work.
 */
static void lnvme_hold_watchdog_fn(struct work_struct *work)
{
	struct lnvme_ctrl *ctrl = container_of(to_delayed_work(work),
					       struct lnvme_ctrl, hold_watchdog);

	if (!device_trylock(ctrl->dev)) {
		schedule_delayed_work(&ctrl->hold_watchdog, HZ);
		return;
	}
	if (test_bit(LNVME_HELD, &ctrl->flags)) {
		dev_err(ctrl->dev, "PCIe error recovery did not finish in %u s: restarting the controller\n",
			LNVME_HOLD_WATCHDOG_S);
		pci_restore_state(ctrl->pdev);
		lnvme_hold_release(ctrl, false);
	}
	device_unlock(ctrl->dev);
}

void lnvme_hold_prepare(struct lnvme_ctrl *ctrl)
{
	INIT_DELAYED_WORK(&ctrl->hold_watchdog, lnvme_hold_watchdog_fn);
}

/* After a fatal error held the controller: restart it if nothing else does. */
void lnvme_hold_watch(struct lnvme_ctrl *ctrl)
{
	schedule_delayed_work(&ctrl->hold_watchdog,
			      LNVME_HOLD_WATCHDOG_S * HZ);
}

/* From remove, before the controller goes. */
void lnvme_hold_unwatch(struct lnvme_ctrl *ctrl)
{
	cancel_delayed_work_sync(&ctrl->hold_watchdog);
}
