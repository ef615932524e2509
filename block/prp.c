// SPDX-License-Identifier: GPL-2.0
/*
 * Data mapping: map a request's segments for DMA and describe them to the
 * controller with PRP entries.
 *
 * PRP rules (NVMe base spec, 4.1.1): PRP1 may start anywhere in a page;
 * every later entry points at the start of a controller page.  Up to two
 * pages fit in PRP1/PRP2; beyond that PRP2 points at a list of entries, and
 * a full list page's last entry chains to the next list page.  The queue's
 * virt_boundary_mask guarantees that only the first segment starts, and
 * only the last segment ends, inside a page, so every segment splits into
 * whole controller pages.
 */
#include <linux/dma-mapping.h>
#include "../lnvme.h"

static enum dma_data_direction lnvme_dma_dir(struct request *req)
{
	return rq_data_dir(req) == WRITE ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
}

int lnvme_pools_create(struct lnvme_ctrl *ctrl)
{
	ctrl->page_pool = dma_pool_create("lnvme-prp-page", ctrl->dev,
					  LNVME_CTRL_PAGE_SIZE,
					  LNVME_CTRL_PAGE_SIZE, 0);
	if (!ctrl->page_pool)
		return -ENOMEM;
	/* 256-byte aligned blocks never cross a controller page. */
	ctrl->small_pool = dma_pool_create("lnvme-prp-small", ctrl->dev,
					   LNVME_SMALL_POOL_SIZE,
					   LNVME_SMALL_POOL_SIZE, 0);
	if (!ctrl->small_pool) {
		dma_pool_destroy(ctrl->page_pool);
		return -ENOMEM;
	}
	return 0;
}

void lnvme_pools_destroy(struct lnvme_ctrl *ctrl)
{
	dma_pool_destroy(ctrl->small_pool);
	dma_pool_destroy(ctrl->page_pool);
}

static __le64 *lnvme_list_alloc(struct lnvme_ctrl *ctrl,
				struct lnvme_iod *iod, bool small)
{
	struct dma_pool *pool = small ? ctrl->small_pool : ctrl->page_pool;
	dma_addr_t dma;
	__le64 *list;

	if (iod->nr_lists == LNVME_MAX_LISTS)
		return NULL;
	list = dma_pool_alloc(pool, GFP_ATOMIC, &dma);
	if (!list)
		return NULL;
	if (!iod->nr_lists)
		iod->small_list = small;
	iod->lists[iod->nr_lists] = list;
	iod->list_dma[iod->nr_lists++] = dma;
	return list;
}

void lnvme_free_lists(struct lnvme_ctrl *ctrl, struct lnvme_iod *iod)
{
	unsigned int i;

	for (i = 0; i < iod->nr_lists; i++) {
		struct dma_pool *pool = ctrl->page_pool;

		if (i == 0 && iod->small_list)
			pool = ctrl->small_pool;
		dma_pool_free(pool, iod->lists[i], iod->list_dma[i]);
	}
	iod->nr_lists = 0;
}

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
	iod->cmd.rw.dptr.prp2 = cpu_to_le64(iod->list_dma[0]);

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

static blk_status_t lnvme_build_prps(struct lnvme_ctrl *ctrl,
				     struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	struct lnvme_prp_cursor cur = {
		.sg	= iod->sg,
		.dma	= sg_dma_address(iod->sg),
		.left	= sg_dma_len(iod->sg),
	};
	unsigned int len = blk_rq_payload_bytes(req);
	unsigned int first;
	blk_status_t ret;

	first = LNVME_CTRL_PAGE_SIZE - (cur.dma & (LNVME_CTRL_PAGE_SIZE - 1));
	iod->cmd.rw.dptr.prp1 = cpu_to_le64(cur.dma);
	if (len <= first)
		return BLK_STS_OK;
	len -= first;
	if (!lnvme_prp_advance(&cur, first))
		goto bad_sgl;
	if (len <= LNVME_CTRL_PAGE_SIZE) {
		iod->cmd.rw.dptr.prp2 = cpu_to_le64(cur.dma);
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

/*
 * One segment of at most two controller pages: map the bio_vec directly,
 * with no scatterlist and no PRP list.
 */
static blk_status_t lnvme_map_bvec(struct lnvme_ctrl *ctrl,
				   struct request *req, struct bio_vec *bv)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	unsigned int first;
	dma_addr_t dma;

	dma = dma_map_bvec(ctrl->dev, bv, lnvme_dma_dir(req), 0);
	if (dma_mapping_error(ctrl->dev, dma))
		return BLK_STS_RESOURCE;
	iod->bvec_dma = dma;
	iod->bvec_len = bv->bv_len;

	first = LNVME_CTRL_PAGE_SIZE - (dma & (LNVME_CTRL_PAGE_SIZE - 1));
	iod->cmd.rw.dptr.prp1 = cpu_to_le64(dma);
	iod->cmd.rw.dptr.prp2 = 0;
	if (bv->bv_len > first)
		iod->cmd.rw.dptr.prp2 = cpu_to_le64(dma + first);
	return BLK_STS_OK;
}

static bool lnvme_bvec_fits(struct request *req, struct bio_vec *bv)
{
	unsigned int offset = bv->bv_offset & (LNVME_CTRL_PAGE_SIZE - 1);

	return bv->bv_len == blk_rq_payload_bytes(req) &&
	       offset + bv->bv_len <= 2 * LNVME_CTRL_PAGE_SIZE;
}

blk_status_t lnvme_map_data(struct lnvme_ctrl *ctrl, struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	enum dma_data_direction dir = lnvme_dma_dir(req);
	blk_status_t ret;
	int nents;

	if (blk_rq_nr_phys_segments(req) == 1) {
		struct bio_vec bv = req_bvec(req);

		if (lnvme_bvec_fits(req, &bv))
			return lnvme_map_bvec(ctrl, req, &bv);
	}

	sg_init_table(iod->sg, blk_rq_nr_phys_segments(req));
	nents = blk_rq_map_sg(req->q, req, iod->sg);
	if (!nents)
		return BLK_STS_IOERR;
	/* dma_map_sg() reports a mapping failure by returning 0. */
	if (!dma_map_sg_attrs(ctrl->dev, iod->sg, nents, dir, DMA_ATTR_NO_WARN))
		return BLK_STS_RESOURCE;
	iod->nents = nents;

	ret = lnvme_build_prps(ctrl, req);
	if (ret)
		lnvme_unmap_data(ctrl, req);
	return ret;
}

/* Undo lnvme_map_data(): the same size and direction as mapped. */
void lnvme_unmap_data(struct lnvme_ctrl *ctrl, struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	enum dma_data_direction dir = lnvme_dma_dir(req);

	if (iod->bvec_len) {
		dma_unmap_page(ctrl->dev, iod->bvec_dma, iod->bvec_len, dir);
		iod->bvec_len = 0;
	} else if (iod->nents) {
		dma_unmap_sg(ctrl->dev, iod->sg, iod->nents, dir);
		iod->nents = 0;
	}
	lnvme_free_lists(ctrl, iod);
}
