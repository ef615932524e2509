// SPDX-License-Identifier: GPL-2.0
/*
 * SGL descriptors for a mapped scatterlist: one data block descriptor in
 * the command for a single segment, otherwise a "last segment" descriptor
 * pointing at a list of data block descriptors from the pools.
 */
#include "../lnvme.h"

void lnvme_sgl_set_data(struct nvme_sgl_desc *desc, dma_addr_t addr, u32 len)
{
	desc->addr = cpu_to_le64(addr);
	desc->length = cpu_to_le32(len);
	desc->type = NVME_SGL_FMT_DATA_DESC << 4;
}

blk_status_t lnvme_build_sgl(struct lnvme_ctrl *ctrl, struct request *req,
			     struct scatterlist *sgl, int count)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	struct nvme_sgl_desc *seg = &iod->cmd.common.dptr.sgl;
	struct nvme_sgl_desc *list;
	struct scatterlist *sg;
	bool small;
	int i;

	iod->cmd.common.flags |= NVME_CMD_SGL_METABUF;
	if (count == 1) {
		lnvme_sgl_set_data(seg, sg_dma_address(sgl), sg_dma_len(sgl));
		return BLK_STS_OK;
	}

	/* LNVME_MAX_SEGS descriptors always fit in one controller page. */
	small = count <= LNVME_SMALL_POOL_SIZE / sizeof(*list);
	list = lnvme_list_alloc(ctrl, iod, small);
	if (!list)
		return BLK_STS_RESOURCE;
	seg->addr = cpu_to_le64(iod->list_dma[0]);
	seg->length = cpu_to_le32(count * sizeof(*list));
	seg->type = NVME_SGL_FMT_LAST_SEG_DESC << 4;

	for_each_sg(sgl, sg, count, i)
		lnvme_sgl_set_data(&list[i], sg_dma_address(sg), sg_dma_len(sg));
	return BLK_STS_OK;
}
