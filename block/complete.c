// SPDX-License-Identifier: GPL-2.0
/*
 * Completion: CQE -> request, NVMe status -> blk_status_t, retries, and the
 * end of the request (batched where blk-mq allows).
 */
#include "../lnvme.h"

blk_status_t lnvme_status_to_blk(u16 status)
{
	switch (status & NVME_SCT_SC_MASK) {
	case NVME_SC_SUCCESS:
		return BLK_STS_OK;
	case NVME_SC_CAP_EXCEEDED:
		return BLK_STS_NOSPC;
	case NVME_SC_LBA_RANGE:
		return BLK_STS_TARGET;
	case NVME_SC_BAD_ATTRIBUTES:
	case NVME_SC_INVALID_OPCODE:
	case NVME_SC_INVALID_FIELD:
	case NVME_SC_INVALID_NS:
		return BLK_STS_NOTSUPP;
	case NVME_SC_WRITE_FAULT:
	case NVME_SC_READ_ERROR:
	case NVME_SC_UNWRITTEN_BLOCK:
	case NVME_SC_ACCESS_DENIED:
	case NVME_SC_READ_ONLY:
	case NVME_SC_COMPARE_FAILED:
		return BLK_STS_MEDIUM;
	case NVME_SC_GUARD_CHECK:
	case NVME_SC_APPTAG_CHECK:
	case NVME_SC_REFTAG_CHECK:
	case NVME_SC_INVALID_PI:
		return BLK_STS_PROTECTION;
	case NVME_SC_RESERVATION_CONFLICT:
		return BLK_STS_RESV_CONFLICT;
	case NVME_SC_HOST_PATH_ERROR:
		return BLK_STS_TRANSPORT;
	case NVME_SC_ZONE_TOO_MANY_ACTIVE:
		return BLK_STS_ZONE_ACTIVE_RESOURCE;
	case NVME_SC_ZONE_TOO_MANY_OPEN:
		return BLK_STS_ZONE_OPEN_RESOURCE;
	default:
		return BLK_STS_IOERR;
	}
}

/*
 * Retry file system I/O that failed without Do Not Retry, up to max_retries
 * times.  Requests handed back by a controller reset are always retried and
 * do not count against the limit, unless their own timeout had expired
 * (iod->timed_out): a command the controller never answers would otherwise
 * go round timeout, reset and retry for ever.
 */
static bool lnvme_should_retry(struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	struct lnvme_ctrl *ctrl = req->q->tag_set->driver_data;

	if ((iod->status & NVME_STATUS_DNR) || blk_rq_is_passthrough(req) ||
	    blk_noretry_request(req) ||
	    lnvme_ctrl_state(ctrl) == LNVME_STATE_DEAD)
		return false;
	if (iod->status == NVME_SC_HOST_ABORTED_CMD && !iod->timed_out)
		return true;
	if (iod->retries >= lnvme_max_retries)
		return false;
	iod->retries++;
	return true;
}

static void lnvme_log_error(struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	struct lnvme_ns *ns = req->q->queuedata;

	if (!ns || (req->rq_flags & RQF_QUIET))
		return;
	/* Passthrough has no block-layer LBA; its caller gets the status. */
	if (blk_rq_is_passthrough(req)) {
		pr_err_ratelimited("%s: passthrough opcode %#x: status %#x%s%s\n",
				   req->q->disk->disk_name,
				   iod->cmd.common.opcode,
				   iod->status & NVME_SCT_SC_MASK,
				   iod->status & NVME_STATUS_DNR ? " (DNR)" : "",
				   iod->timed_out ? " (timed out)" : "");
		return;
	}
	pr_err_ratelimited("%s: %s (opcode %#x) LBA %llu, %u blocks: status %#x%s%s%s\n",
			   req->q->disk->disk_name, blk_op_str(req_op(req)),
			   iod->cmd.common.opcode,
			   blk_rq_pos(req) >> (ns->lba_shift - SECTOR_SHIFT),
			   blk_rq_bytes(req) >> ns->lba_shift,
			   iod->status & NVME_SCT_SC_MASK,
			   iod->status & NVME_STATUS_DNR ? " (DNR)" : "",
			   iod->timed_out ? " (timed out)" : "",
			   iod->retries ? ", after retries" : "");
}

/* blk_mq_ops.complete: the single-request completion. */
void lnvme_complete_rq(struct request *req)
{
	struct lnvme_ctrl *ctrl = req->q->tag_set->driver_data;
	struct lnvme_iod *iod = lnvme_iod(req);

	lnvme_unmap_data(ctrl, req);
	if (unlikely(iod->status)) {
		if (lnvme_should_retry(req)) {
			blk_mq_requeue_request(req, true);
			return;
		}
		lnvme_log_error(req);
	}
	blk_mq_end_request(req, lnvme_status_to_blk(iod->status));
}

static void lnvme_complete_batch(struct io_comp_batch *iob)
{
	struct request *req;

	rq_list_for_each(&iob->req_list, req)
		lnvme_unmap_data(req->q->tag_set->driver_data, req);
	blk_mq_end_request_batch(iob);
}

void lnvme_complete_cqe(struct lnvme_queue *nq, struct nvme_completion *cqe,
			struct io_comp_batch *iob)
{
	u16 cid = READ_ONCE(cqe->command_id);
	struct lnvme_iod *iod = NULL;
	struct request *req = NULL;

	if (unlikely(!nq->qid && cid == LNVME_EVENT_CID)) {
		lnvme_event_complete(nq->ctrl, cqe);
		return;
	}
	if (likely(nq->tags))
		req = blk_mq_tag_to_rq(nq->tags, cid & LNVME_CID_TAG_MASK);
	if (likely(req))
		iod = lnvme_iod(req);
	if (unlikely(!iod || iod->cmd.common.command_id != cid ||
		     blk_mq_rq_state(req) != MQ_RQ_IN_FLIGHT)) {
		dev_warn_ratelimited(nq->ctrl->dev,
				     "queue %u: dropped completion for stale or unknown command id %#x\n",
				     nq->qid, cid);
		return;
	}
	/*
	 * Fault injection (fail_io_timeout with io-timeout-fail set on the
	 * disk): drop the completion as if it were lost, so the request
	 * stays in flight and the timeout handler recovers it.
	 */
	if (blk_should_fake_timeout(req->q))
		return;
	/* A cancel pass ended it while this poller reaped: see claimed. */
	if (unlikely(!lnvme_iod_claim(iod)))
		return;
	iod->status = le16_to_cpu(cqe->status) >> 1;
	iod->result = cqe->result;
	lnvme_zoned_complete(req, iod);
	if (!blk_mq_add_to_batch(req, iob, iod->status != 0,
				 lnvme_complete_batch))
		blk_mq_complete_request(req);
}
