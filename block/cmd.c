// SPDX-License-Identifier: GPL-2.0
/*
 * Request to command: build the NVMe command for a block layer request.
 */
#include "../lnvme.h"

static u64 lnvme_sect_to_lba(struct lnvme_ns *ns, sector_t sector)
{
	return sector >> (ns->lba_shift - SECTOR_SHIFT);
}

static blk_status_t lnvme_setup_rw(struct lnvme_ns *ns, struct request *req,
				   struct nvme_command *c, u8 opcode)
{
	u64 lba = lnvme_sect_to_lba(ns, blk_rq_pos(req));
	u16 control = 0;

	if (req->cmd_flags & REQ_FUA)
		control |= NVME_RW_FUA;
	if (req->cmd_flags & (REQ_FAILFAST_DEV | REQ_RAHEAD))
		control |= NVME_RW_LR;

	if (ns->ms) {
		blk_status_t ret = lnvme_rw_pi(ns, req, &control);

		if (ret)
			return ret;
		lnvme_set_ref_tag(ns, c, lba);
	}

	c->rw.opcode = opcode;
	c->rw.nsid = cpu_to_le32(ns->nsid);
	c->rw.slba = cpu_to_le64(lba);
	c->rw.length = cpu_to_le16((blk_rq_bytes(req) >> ns->lba_shift) - 1);
	c->rw.control = cpu_to_le16(control);
	return BLK_STS_OK;
}

static void lnvme_setup_write_zeroes(struct lnvme_ns *ns, struct request *req,
				     struct nvme_command *c)
{
	u16 control = 0;

	/* Deallocate only where deallocated blocks are known to read zeroes. */
	if (!(req->cmd_flags & REQ_NOUNMAP) &&
	    (ns->dlfeat & LNVME_DLFEAT_WZ_DEAC) &&
	    (ns->dlfeat & 0x7) == LNVME_DLFEAT_ZEROES)
		control |= NVME_WZ_DEAC;
	/* 8 bytes of PI: the controller writes it for the zeroed blocks. */
	if (ns->pi_only) {
		control |= NVME_RW_PRINFO_PRACT;
		lnvme_set_ref_tag(ns, c, lnvme_sect_to_lba(ns, blk_rq_pos(req)));
	}

	c->write_zeroes.opcode = nvme_cmd_write_zeroes;
	c->write_zeroes.nsid = cpu_to_le32(ns->nsid);
	c->write_zeroes.slba = cpu_to_le64(lnvme_sect_to_lba(ns, blk_rq_pos(req)));
	c->write_zeroes.length =
		cpu_to_le16((blk_rq_bytes(req) >> ns->lba_shift) - 1);
	c->write_zeroes.control = cpu_to_le16(control);
}

/*
 * A discard request carries one range per merged bio.  The range list is a
 * descriptor the controller reads, so it comes from the PRP list pools.
 */
static blk_status_t lnvme_setup_discard(struct lnvme_ns *ns,
					struct request *req,
					struct nvme_command *c)
{
	unsigned short segments = blk_rq_nr_discard_segments(req);
	struct lnvme_ctrl *ctrl = ns->ctrl;
	struct lnvme_iod *iod = lnvme_iod(req);
	struct nvme_dsm_range *range;
	unsigned short n = 0;
	struct bio *bio;
	bool small;

	small = segments <= LNVME_SMALL_POOL_SIZE / sizeof(*range);
	range = lnvme_list_alloc(ctrl, iod, small);
	if (!range)
		return BLK_STS_RESOURCE;

	__rq_for_each_bio(bio, req) {
		if (n == segments)
			break;
		range[n].cattr = 0;
		range[n].nlb = cpu_to_le32(bio->bi_iter.bi_size >> ns->lba_shift);
		range[n].slba = cpu_to_le64(lnvme_sect_to_lba(ns, bio->bi_iter.bi_sector));
		n++;
	}
	if (unlikely(n != segments || bio)) {
		pr_err_ratelimited("%s: discard with %u ranges, expected %u\n",
				   req->q->disk->disk_name, n, segments);
		return BLK_STS_IOERR;
	}

	c->dsm.opcode = nvme_cmd_dsm;
	c->dsm.nsid = cpu_to_le32(ns->nsid);
	c->dsm.nr = cpu_to_le32(segments - 1);
	c->dsm.attributes = cpu_to_le32(NVME_DSMGMT_AD);
	c->dsm.dptr.prp1 = cpu_to_le64(iod->list_dma[0]);
	return BLK_STS_OK;
}

/*
 * Fill in the request's command.  Driver-private (passthrough) requests
 * arrive with their command already built.
 */
blk_status_t lnvme_setup_cmd(struct lnvme_ns *ns, struct request *req)
{
	struct nvme_command *c = &lnvme_iod(req)->cmd;

	lnvme_iod(req)->meta_len = 0;
	switch (req_op(req)) {
	case REQ_OP_DRV_IN:
	case REQ_OP_DRV_OUT:
		return BLK_STS_OK;
	default:
		break;
	}
	if (WARN_ON_ONCE(!ns))
		return BLK_STS_IOERR;

	memset(c, 0, sizeof(*c));
	switch (req_op(req)) {
	case REQ_OP_READ:
		return lnvme_setup_rw(ns, req, c, nvme_cmd_read);
	case REQ_OP_WRITE:
		return lnvme_setup_rw(ns, req, c, nvme_cmd_write);
	case REQ_OP_FLUSH:
		c->common.opcode = nvme_cmd_flush;
		c->common.nsid = cpu_to_le32(ns->nsid);
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
		return lnvme_setup_discard(ns, req, c);
	case REQ_OP_WRITE_ZEROES:
		lnvme_setup_write_zeroes(ns, req, c);
		return BLK_STS_OK;
	case REQ_OP_ZONE_APPEND:
		return lnvme_setup_rw(ns, req, c, nvme_cmd_zone_append);
	default:
		if (op_is_zone_mgmt(req_op(req)))
			return lnvme_zoned_setup_cmd(ns, req, c);
		pr_err_ratelimited("%s: unsupported request op %u\n",
				   req->q->disk->disk_name, req_op(req));
		return BLK_STS_NOTSUPP;
	}
}
