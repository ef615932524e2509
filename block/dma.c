// SPDX-License-Identifier: GPL-2.0
/*
 * DMA mapping of request data, and the descriptor pools.
 *
 * A request is mapped one of two ways:
 *  - one physical segment: dma_map_bvec(), no scatterlist; described by
 *    PRP1/PRP2 when it spans at most two controller pages, or by one SGL
 *    data block descriptor;
 *  - otherwise: blk_rq_map_sg() into a scatterlist (the few entries in the
 *    request pdu, or for more segments a table from the controller's
 *    sg_pool), dma_map_sg(), then PRP entries (block/prp.c) or SGL
 *    descriptors (block/sgl.c).
 * A request's integrity payload (separate metadata) is mapped after its
 * data, into the metadata pointer (block/integrity.c).
 * SGLs are used on I/O queues of controllers that support them, when the
 * average segment is at least sgl_threshold bytes.  Descriptor lists come
 * from two dma_pools: 256-byte blocks for short lists, and controller pages.
 */
#include <linux/blk-integrity.h>
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include "../lnvme.h"

static enum dma_data_direction lnvme_dma_dir(struct request *req)
{
	return rq_data_dir(req) == WRITE ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
}

int lnvme_pools_create(struct lnvme_ctrl *ctrl)
{
	ctrl->page_pool = dma_pool_create("lnvme-list-page", ctrl->dev,
					  LNVME_CTRL_PAGE_SIZE,
					  LNVME_CTRL_PAGE_SIZE, 0);
	if (!ctrl->page_pool)
		return -ENOMEM;
	/* 256-byte aligned blocks never cross a controller page. */
	ctrl->small_pool = dma_pool_create("lnvme-list-256", ctrl->dev,
					   LNVME_SMALL_POOL_SIZE,
					   LNVME_SMALL_POOL_SIZE, 0);
	if (!ctrl->small_pool)
		goto destroy_page;
	ctrl->sg_pool = mempool_create_node(LNVME_SG_POOL_MIN, mempool_kmalloc,
					    mempool_kfree,
					    (void *)(LNVME_MAX_SEGS *
						     sizeof(struct scatterlist)),
					    GFP_KERNEL, dev_to_node(ctrl->dev));
	if (!ctrl->sg_pool)
		goto destroy_small;
	return 0;

destroy_small:
	dma_pool_destroy(ctrl->small_pool);
destroy_page:
	dma_pool_destroy(ctrl->page_pool);
	return -ENOMEM;
}

void lnvme_pools_destroy(struct lnvme_ctrl *ctrl)
{
	mempool_destroy(ctrl->sg_pool);
	dma_pool_destroy(ctrl->small_pool);
	dma_pool_destroy(ctrl->page_pool);
}

/* Take one descriptor list and record it in the iod for freeing. */
void *lnvme_list_alloc(struct lnvme_ctrl *ctrl, struct lnvme_iod *iod,
		       bool small)
{
	struct dma_pool *pool = small ? ctrl->small_pool : ctrl->page_pool;
	dma_addr_t dma;
	void *list;

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

/* fail_function makes it fail to test the retry (tests/err-fault-injection). */
ALLOW_ERROR_INJECTION(lnvme_list_alloc, NULL);

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

static bool lnvme_use_sgl(struct lnvme_ctrl *ctrl, struct request *req)
{
	struct lnvme_queue *nq = req->mq_hctx->driver_data;
	unsigned int avg;

	if (!ctrl->sgl_ok || !lnvme_sgl_threshold || !nq->qid)
		return false;
	avg = blk_rq_payload_bytes(req) / blk_rq_nr_phys_segments(req);
	return avg >= lnvme_sgl_threshold;
}

/* Map a single-segment request with dma_map_bvec(), no scatterlist. */
static blk_status_t lnvme_map_bvec(struct lnvme_ctrl *ctrl,
				   struct request *req, struct bio_vec *bv)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	struct nvme_command *c = &iod->cmd;
	unsigned int first;
	dma_addr_t dma;

	dma = dma_map_bvec(ctrl->dev, bv, lnvme_dma_dir(req), 0);
	if (dma_mapping_error(ctrl->dev, dma))
		return BLK_STS_RESOURCE;
	iod->bvec_dma = dma;
	iod->bvec_len = bv->bv_len;

	if (iod->use_sgl) {
		c->common.flags |= NVME_CMD_SGL_METABUF;
		lnvme_sgl_set_data(&c->common.dptr.sgl, dma, bv->bv_len);
		return BLK_STS_OK;
	}
	first = LNVME_CTRL_PAGE_SIZE - (dma & (LNVME_CTRL_PAGE_SIZE - 1));
	c->common.dptr.prp1 = cpu_to_le64(dma);
	c->common.dptr.prp2 = 0;
	if (bv->bv_len > first)
		c->common.dptr.prp2 = cpu_to_le64(dma + first);
	return BLK_STS_OK;
}

/* Whether the bvec path can describe this request on its own. */
static bool lnvme_bvec_fits(struct request *req, struct bio_vec *bv)
{
	unsigned int offset = bv->bv_offset & (LNVME_CTRL_PAGE_SIZE - 1);

	if (bv->bv_len != blk_rq_payload_bytes(req))
		return false;
	return lnvme_iod(req)->use_sgl ||
	       offset + bv->bv_len <= 2 * LNVME_CTRL_PAGE_SIZE;
}

/*
 * A scatterlist table for a request with more than LNVME_INLINE_SGS
 * segments, from sg_pool.  GFP_ATOMIC: queue_rq must not sleep.  When the
 * slab and the pool's reserve are both empty the request gets
 * BLK_STS_RESOURCE and blk-mq dispatches it again later; a completing
 * request gives its table back to the reserve.  Out of line (the rare
 * case) and not cloned, so fail_function and kprobes find it by its name.
 */
static noinline __noclone struct scatterlist *
lnvme_sg_alloc(struct lnvme_ctrl *ctrl, struct lnvme_iod *iod)
{
	iod->sg_table = mempool_alloc(ctrl->sg_pool, GFP_ATOMIC);
	if (!iod->sg_table)
		return NULL;
	iod->sg_pooled = true;
	return iod->sg_table;
}
ALLOW_ERROR_INJECTION(lnvme_sg_alloc, NULL);

/* Give back a pooled table, once: sg_pooled is cleared with it. */
static void lnvme_sg_put(struct lnvme_ctrl *ctrl, struct lnvme_iod *iod)
{
	if (!iod->sg_pooled)
		return;
	iod->sg_pooled = false;
	mempool_free(iod->sg_table, ctrl->sg_pool);
}

/* Map a multi-segment request through a scatterlist. */
static blk_status_t lnvme_map_sg(struct lnvme_ctrl *ctrl, struct request *req)
{
	unsigned short nsegs = blk_rq_nr_phys_segments(req);
	struct lnvme_iod *iod = lnvme_iod(req);
	struct scatterlist *sg;
	blk_status_t ret;
	int nents, count;

	if (likely(nsegs <= LNVME_INLINE_SGS)) {
		sg = iod->inline_sg;
	} else {
		sg = lnvme_sg_alloc(ctrl, iod);
		if (!sg)
			return BLK_STS_RESOURCE;
	}
	sg_init_table(sg, nsegs);
	nents = blk_rq_map_sg(req, sg);
	if (!nents) {
		ret = BLK_STS_IOERR;
		goto put_sg;
	}
	/* dma_map_sg() reports a mapping failure by returning 0. */
	count = dma_map_sg_attrs(ctrl->dev, sg, nents, lnvme_dma_dir(req),
				 DMA_ATTR_NO_WARN);
	if (!count) {
		ret = BLK_STS_RESOURCE;
		goto put_sg;
	}
	iod->nents = nents;

	if (iod->use_sgl)
		ret = lnvme_build_sgl(ctrl, req, sg, count);
	else
		ret = lnvme_build_prps(ctrl, req, sg);
	if (ret)
		lnvme_unmap_data(ctrl, req);
	return ret;

put_sg:
	lnvme_sg_put(ctrl, iod);
	return ret;
}

static blk_status_t lnvme_map_rq_data(struct lnvme_ctrl *ctrl,
				      struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);

	iod->use_sgl = lnvme_use_sgl(ctrl, req);
	if (blk_rq_nr_phys_segments(req) == 1) {
		struct bio_vec bv = req_bvec(req);

		if (lnvme_bvec_fits(req, &bv))
			return lnvme_map_bvec(ctrl, req, &bv);
	}
	return lnvme_map_sg(ctrl, req);
}

/*
 * Map the data, then the integrity payload if the request has one (a
 * namespace with separate metadata, or passthrough with a metadata
 * buffer: block/integrity.c).  On failure nothing stays mapped.
 */
blk_status_t lnvme_map_data(struct lnvme_ctrl *ctrl, struct request *req)
{
	blk_status_t ret;

	ret = lnvme_map_rq_data(ctrl, req);
	if (ret || !blk_integrity_rq(req))
		return ret;
	ret = lnvme_map_meta(ctrl, req);
	if (ret)
		lnvme_unmap_data(ctrl, req);
	return ret;
}

/*
 * Undo lnvme_map_data(): the same size and direction as mapped, then give
 * back the pooled scatterlist and the descriptor lists.  The metadata
 * mapping goes first, in lnvme_unmap_meta().
 */
void lnvme_unmap_data(struct lnvme_ctrl *ctrl, struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	enum dma_data_direction dir = lnvme_dma_dir(req);

	lnvme_unmap_meta(ctrl, req);
	if (iod->bvec_len) {
		dma_unmap_page(ctrl->dev, iod->bvec_dma, iod->bvec_len, dir);
		iod->bvec_len = 0;
	} else if (iod->nents) {
		dma_unmap_sg(ctrl->dev, lnvme_iod_sg(iod), iod->nents, dir);
		iod->nents = 0;
	}
	lnvme_sg_put(ctrl, iod);
	lnvme_free_lists(ctrl, iod);
}
