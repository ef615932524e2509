// SPDX-License-Identifier: GPL-2.0
/*
 * PRP entries for a mapped scatterlist.
 *
 * PRP rules (NVMe base spec, "Physical Region Page Entry and List"): PRP1
 * may start anywhere in a page; every later entry points at the start of a
 * controller page.  Up to two pages fit in PRP1/PRP2; beyond that PRP2
 * points at a list of entries, and a full list page's last entry chains to
 * the next list page.  The queue's virt_boundary_mask guarantees that only
 * the first segment starts, and only the last segment ends, inside a page,
 * so every segment splits into whole controller pages.
 */
#include "../lnvme.h"

/* Walks the mapped scatterlist one controller page at a time. */
struct lnvme_prp_cursor {
	struct scatterlist	*sg;
	dma_addr_t		dma;
	unsigned int		left;	/* bytes left in this segment */
};

static bool lnvme_prp_advance(struct lnvme_prp_cursor *cur, unsigned int len)
{
	if (cur->left > len) {
		cur->dma += len;
		cur->left -= len;
		return true;
	}
	cur->sg = sg_next(cur->sg);
	if (!cur->sg)
		return false;
	cur->dma = sg_dma_address(cur->sg);
	cur->left = sg_dma_len(cur->sg);
	return true;
}

/*
 * Fill a PRP list (chained over several list pages if needed) with @count
 * page addresses taken from @cur.
 */
static blk_status_t lnvme_fill_prp_list(struct lnvme_ctrl *ctrl,
					struct lnvme_iod *iod,
					struct lnvme_prp_cursor *cur,
					unsigned int count)
{
	bool small = count <= LNVME_SMALL_POOL_SIZE / sizeof(__le64);
	__le64 *list = lnvme_list_alloc(ctrl, iod, small);
	unsigned int i = 0;

	if (!list)
		return BLK_STS_RESOURCE;
	iod->cmd.common.dptr.prp2 = cpu_to_le64(iod->list_dma[0]);

	for (;;) {
		if (i == LNVME_PRPS_PER_PAGE) {
			__le64 *next = lnvme_list_alloc(ctrl, iod, false);

			if (!next)
				return BLK_STS_RESOURCE;
			/* The last slot becomes the chain pointer. */
			next[0] = list[i - 1];
			list[i - 1] = cpu_to_le64(iod->list_dma[iod->nr_lists - 1]);
			list = next;
			i = 1;
		}
		list[i++] = cpu_to_le64(cur->dma);
		if (!--count)
			return BLK_STS_OK;
		if (!lnvme_prp_advance(cur, LNVME_CTRL_PAGE_SIZE))
			return BLK_STS_IOERR;
	}
}

blk_status_t lnvme_build_prps(struct lnvme_ctrl *ctrl, struct request *req,
			      struct scatterlist *sg)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	struct lnvme_prp_cursor cur = {
		.sg	= sg,
		.dma	= sg_dma_address(sg),
		.left	= sg_dma_len(sg),
	};
	unsigned int len = blk_rq_payload_bytes(req);
	unsigned int first;
	blk_status_t ret;

	first = LNVME_CTRL_PAGE_SIZE - (cur.dma & (LNVME_CTRL_PAGE_SIZE - 1));
	iod->cmd.common.dptr.prp1 = cpu_to_le64(cur.dma);
	if (len <= first)
		return BLK_STS_OK;
	len -= first;
	if (!lnvme_prp_advance(&cur, first))
		goto bad_sgl;
	if (len <= LNVME_CTRL_PAGE_SIZE) {
		iod->cmd.common.dptr.prp2 = cpu_to_le64(cur.dma);
		return BLK_STS_OK;
	}
	ret = lnvme_fill_prp_list(ctrl, iod, &cur,
				  DIV_ROUND_UP(len, LNVME_CTRL_PAGE_SIZE));
	if (ret != BLK_STS_IOERR)
		return ret;
bad_sgl:
	dev_err_ratelimited(ctrl->dev, "scatterlist shorter than request (%u bytes)\n",
			    blk_rq_payload_bytes(req));
	return BLK_STS_IOERR;
}
