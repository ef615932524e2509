// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata and T10 protection information (PI).
 *
 * A namespace formatted with separate metadata (the metadata of a command
 * in one buffer of its own, at the command's metadata pointer, MPTR) gets
 * a block-layer integrity profile, so that the block layer gives every
 * read and write an integrity payload of ms bytes per block:
 *  - 8 bytes of PI, type 1 or 2: T10-DIF CRC 16-bit guard, reference tag
 *    (the block layer generates the guard and ref tags on writes, remaps
 *    and verifies them on reads); the controller checks guard and ref tag
 *    (PRCHK);
 *  - 8 bytes of PI, type 3: guard only, the 6 tag bytes are opaque;
 *  - any other metadata (no PI, or PI in more than 8 bytes whose guard
 *    format the driver does not read): no checksum (CSUM_NONE), a zeroed
 *    buffer on writes, nothing checked by either side.
 * The payload is one buffer per request (max_integrity_segments 1), mapped
 * with dma_map_bvec() into MPTR next to the data, unmapped with it.
 *
 * A namespace with extended LBAs (metadata inline with each block) is used
 * only when the metadata is 8 bytes of PI: the controller inserts and
 * strips it (PRACT) and only the data moves; other extended formats keep
 * only their generic node (block/disk.c).  Writes to a namespace with 8
 * bytes of PI that carry no payload (extended LBAs, integrity/write_generate
 * set to 0) and Write Zeroes get PRACT as well.
 *
 * The kernel API (Linux 6.12: queue_limits.integrity, rq_integrity_vec()
 * returning a bio_vec, blk_rq_integrity_map_user()) is used only in the
 * small functions below.
 */
#include <linux/blk-integrity.h>
#include <linux/dma-mapping.h>
#include "../lnvme.h"

static enum dma_data_direction lnvme_meta_dir(struct request *req)
{
	return rq_data_dir(req) == WRITE ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
}

/*
 * The integrity limits of a namespace: none without separate metadata (or
 * on a hidden disk).  Called with the rest of the limits, on add and on a
 * format change.
 */
void lnvme_integrity_limits(struct lnvme_ns *ns, struct queue_limits *lim)
{
	struct blk_integrity *bi = &lim->integrity;

	memset(bi, 0, sizeof(*bi));
	lim->max_integrity_segments = 0;
	if (ns->hidden || !ns->ms || ns->ext)
		return;

	switch (ns->pi_type) {
	case NVME_NS_DPS_PI_TYPE1:
	case NVME_NS_DPS_PI_TYPE2:
		bi->csum_type = BLK_INTEGRITY_CSUM_CRC;
		bi->tag_size = sizeof(u16);
		bi->flags = BLK_INTEGRITY_DEVICE_CAPABLE |
			    BLK_INTEGRITY_REF_TAG;
		break;
	case NVME_NS_DPS_PI_TYPE3:
		bi->csum_type = BLK_INTEGRITY_CSUM_CRC;
		bi->tag_size = sizeof(u16) + sizeof(u32);
		bi->flags = BLK_INTEGRITY_DEVICE_CAPABLE;
		break;
	default:
		break;	/* opaque metadata: CSUM_NONE */
	}
	bi->tuple_size = ns->ms;
	bi->pi_offset = 0;		/* 8-byte PI is the whole tuple */
	bi->interval_exp = ns->lba_shift;
	/*
	 * The guard covers the data: it must not change under the write.
	 * And the block layer (6.12) generates and verifies the PI of each
	 * data segment on its own, as whole intervals: every segment must
	 * hold whole blocks, so buffers are aligned to the block size
	 * (O_DIRECT with a less aligned buffer gets EINVAL).
	 */
	if (bi->csum_type != BLK_INTEGRITY_CSUM_NONE) {
		lim->features |= BLK_FEAT_STABLE_WRITES;
		lim->dma_alignment = (1U << ns->lba_shift) - 1;
	}
	lim->max_integrity_segments = 1;
}

/* Type 1 and 2: the reference tag of the first block, the LBA's low bits. */
void lnvme_set_ref_tag(struct lnvme_ns *ns, struct nvme_command *c, u64 lba)
{
	if (ns->pi_type == NVME_NS_DPS_PI_TYPE1 ||
	    ns->pi_type == NVME_NS_DPS_PI_TYPE2)
		c->rw.reftag = cpu_to_le32(lower_32_bits(lba));
}

/*
 * PRINFO of a read or write on a namespace with metadata (ns->ms): the
 * checks the controller makes (PRCHK) from the PI type, unless the bio
 * asks for none (BIP_DISK_NOCHECK); PRACT when the request carries no
 * integrity payload, which only 8 bytes of PI allow.  The caller sets the
 * reference tag.
 */
blk_status_t lnvme_rw_pi(struct lnvme_ns *ns, struct request *req,
			 u16 *control)
{
	bool payload = blk_integrity_rq(req);

	if (!payload) {
		if (!ns->pi_only) {
			pr_err_ratelimited("%s: %s without a metadata buffer on a namespace with %u bytes of metadata\n",
					   req->q->disk->disk_name,
					   blk_op_str(req_op(req)), ns->ms);
			return BLK_STS_NOTSUPP;
		}
		*control |= NVME_RW_PRINFO_PRACT;
	} else if (bio_integrity_flagged(req->bio, BIP_DISK_NOCHECK)) {
		return BLK_STS_OK;
	}

	switch (ns->pi_type) {
	case NVME_NS_DPS_PI_TYPE1:
	case NVME_NS_DPS_PI_TYPE2:
		*control |= NVME_RW_PRINFO_PRCHK_GUARD |
			    NVME_RW_PRINFO_PRCHK_REF;
		break;
	case NVME_NS_DPS_PI_TYPE3:
		*control |= NVME_RW_PRINFO_PRCHK_GUARD;
		break;
	}
	return BLK_STS_OK;
}

/*
 * Map the request's integrity payload into MPTR.  One segment: the queue
 * allows no more (max_integrity_segments 1), and a user buffer that would
 * need more is copied into one by blk_rq_integrity_map_user().
 */
blk_status_t lnvme_map_meta(struct lnvme_ctrl *ctrl, struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);
	struct bio_vec bv;
	dma_addr_t dma;

	if (unlikely(req->nr_integrity_segments > 1)) {
		pr_err_ratelimited("%s: %u metadata segments, 1 supported\n",
				   req->q->disk->disk_name,
				   req->nr_integrity_segments);
		return BLK_STS_IOERR;
	}
	bv = rq_integrity_vec(req);
	dma = dma_map_bvec(ctrl->dev, &bv, lnvme_meta_dir(req), 0);
	if (dma_mapping_error(ctrl->dev, dma))
		return BLK_STS_RESOURCE;
	iod->meta_len = bv.bv_len;
	iod->cmd.common.metadata = cpu_to_le64(dma);
	return BLK_STS_OK;
}

/* Undo lnvme_map_meta(), once: the same address, size and direction. */
void lnvme_unmap_meta(struct lnvme_ctrl *ctrl, struct request *req)
{
	struct lnvme_iod *iod = lnvme_iod(req);

	if (!iod->meta_len)
		return;
	dma_unmap_page(ctrl->dev, le64_to_cpu(iod->cmd.common.metadata),
		       iod->meta_len, lnvme_meta_dir(req));
	iod->meta_len = 0;
}

/*
 * Passthrough: attach the user's metadata buffer (@len bytes at @ubuf) to
 * the request as its integrity payload, after its data was mapped.  The
 * bio needs the disk for the queue's limits.  blk_rq_unmap_user() of the
 * data bio gives the payload back (copying it out for reads).
 */
int lnvme_map_user_meta(struct request *req, struct gendisk *disk,
			u64 ubuf, u32 len)
{
	if (!req->bio)
		return -EINVAL;
	bio_set_dev(req->bio, disk->part0);
	return blk_rq_integrity_map_user(req, u64_to_user_ptr(ubuf), len);
}
