/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lnvme compatibility: the rest of the driver is written against the newest
 * kernel API; this file supplies it on older kernels (Debian's 6.1 and 6.12
 * are the oldest tested).  Every difference is decided by a feature probe
 * (compat/NAME.c, compiled against the target tree by the Kbuild, which
 * defines LNVME_HAVE_NAME in the generated lnvme_have.h), never by a
 * version number, since distribution kernels backport APIs.
 *
 * Included by lnvme.h after its kernel headers.
 */
#ifndef LNVME_COMPAT_H
#define LNVME_COMPAT_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/nvme.h>
#include <linux/overflow.h>
#include "lnvme_have.h"

#ifdef LNVME_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif
#ifndef LNVME_HAVE_MAP_HW_QUEUES
#include <linux/blk-mq-pci.h>
#endif

/* <linux/nvme.h> constants that older kernels lack. */
#ifndef NVME_SCT_SC_MASK
#define NVME_SCT_SC_MASK	0x7ff
#endif
#ifndef NVME_STATUS_DNR
#define NVME_STATUS_DNR		0x4000
#endif
#ifndef NVME_STATUS_MORE
#define NVME_STATUS_MORE	0x2000
#endif

/*
 * Until 6.14 a tag set's queues merge bios only with BLK_MQ_F_SHOULD_MERGE
 * (harmless on the admin set, whose passthrough requests never merge).
 */
#ifdef LNVME_HAVE_MQ_F_SHOULD_MERGE
static inline int lnvme_alloc_tag_set(struct blk_mq_tag_set *set)
{
	set->flags |= BLK_MQ_F_SHOULD_MERGE;
	return blk_mq_alloc_tag_set(set);
}

#define blk_mq_alloc_tag_set(set)	lnvme_alloc_tag_set(set)
#endif

/* rw.lbat/lbatm (were apptag/appmask) and NVME_WZ_DEAC (6.5). */
#ifndef LNVME_HAVE_NVME_H_LBAT
#define lbat	apptag
#define lbatm	appmask
#define NVME_WZ_DEAC	BIT(9)
#endif

#ifndef BLK_STS_RESV_CONFLICT
#define BLK_STS_RESV_CONFLICT	BLK_STS_NEXUS
#endif

/*
 * blk_rq_poll() (6.3): before it, poll the request's hardware queue with
 * the driver's own ->poll (lnvme's, as only lnvme's requests get here).
 */
#ifndef LNVME_HAVE_BLK_RQ_POLL
static inline int blk_rq_poll(struct request *rq, struct io_comp_batch *iob,
			      unsigned int poll_flags)
{
	struct blk_mq_hw_ctx *hctx = rq->mq_hctx;

	if (!hctx || hctx->type != HCTX_TYPE_POLL)
		return 0;
	return hctx->queue->mq_ops->poll(hctx, iob);
}
#endif

#ifndef LNVME_HAVE_STRUCT_SIZE_T
#define struct_size_t(type, member, count) \
	struct_size((type *)NULL, member, count)
#endif

/*
 * struct rq_list (6.13).  Before it ->queue_rqs() takes a struct request **
 * and io_comp_batch holds a bare list head.  lnvme's struct rq_list is the
 * new one (head and tail), with the new rq_list_add_tail() and
 * rq_list_pop().  io_comp_batch's list, the only one lnvme reads with
 * rq_list_for_each() and rq_list_empty(), stays the old kind, which the
 * old rq_list_for_each() takes as the new one does (a pointer to it);
 * rq_list_empty() is redefined to take that pointer too (a struct rq_list
 * given them does not compile).  lnvme_queue_rqs() is defined under
 * another name (the function-like macro renames the definition only) and
 * given to blk-mq through a wrapper of the old type.
 *
 * The old ->queue_rqs() contract also leaves the tag's entry in the
 * hardware queue's tags->rqs[] to the driver: blk-mq sets it when it gets
 * a driver tag for ->queue_rq(), and later kernels (6.12 does) in
 * blk_mq_start_request(), but 6.1's plug flush hands requests to
 * ->queue_rqs() without either.  The entry is what blk_mq_tag_to_rq()
 * returns for a completion's command id: left unset (NULL, or another
 * request that last used the tag, such as the flush request that borrowed
 * it) the completion is dropped as unknown and the request times out.  The
 * wrapper sets it for each request before lnvme sees the list, as the
 * in-kernel drivers did under that contract.
 */
#ifndef LNVME_HAVE_RQ_LIST
struct rq_list {
	struct request *head;
	struct request *tail;
};

#undef rq_list_empty
#undef rq_list_add_tail
#undef rq_list_pop

static inline bool rq_list_empty(struct request * const *list)
{
	return !*list;
}

static inline void rq_list_add_tail(struct rq_list *rl, struct request *rq)
{
	rq->rq_next = NULL;
	if (rl->tail)
		rl->tail->rq_next = rq;
	else
		rl->head = rq;
	rl->tail = rq;
}

static inline struct request *rq_list_pop(struct rq_list *rl)
{
	struct request *rq = rl->head;

	if (rq) {
		rl->head = rq->rq_next;
		if (!rl->head)
			rl->tail = NULL;
		rq->rq_next = NULL;
	}
	return rq;
}

void lnvme_queue_rqs_rql(struct rq_list *rqlist);
static inline void (lnvme_queue_rqs)(struct request **rqlist)
{
	struct rq_list rl = { .head = *rqlist };
	struct request *rq;

	for (rq = *rqlist; rq; rq = rq->rq_next) {
		rq->mq_hctx->tags->rqs[rq->tag] = rq;
		rl.tail = rq;
	}
	lnvme_queue_rqs_rql(&rl);
	*rqlist = rl.head;
}

#define lnvme_queue_rqs(rqlist)		lnvme_queue_rqs_rql(rqlist)
#endif

/* blk_mode_t (6.5): before it, block device ioctls took an fmode_t. */
#ifndef LNVME_HAVE_BLK_MODE
#define blk_mode_t	fmode_t
#define BLK_OPEN_READ	FMODE_READ
#endif

/*
 * A const struct class (6.4).  Before it class_register() writes to the
 * class and struct device points to a writable one.
 */
#ifdef LNVME_HAVE_CONST_CLASS
#define LNVME_CLASS_CONST	const
#else
#define LNVME_CLASS_CONST
#endif

/* blk_mq_quiesce_tagset() (6.2): each queue of the set, one at a time. */
#ifndef LNVME_HAVE_QUIESCE_TAGSET
static inline void blk_mq_quiesce_tagset(struct blk_mq_tag_set *set)
{
	struct request_queue *q;

	mutex_lock(&set->tag_list_lock);
	list_for_each_entry(q, &set->tag_list, tag_set_list)
		blk_mq_quiesce_queue(q);
	mutex_unlock(&set->tag_list_lock);
}

static inline void blk_mq_unquiesce_tagset(struct blk_mq_tag_set *set)
{
	struct request_queue *q;

	mutex_lock(&set->tag_list_lock);
	list_for_each_entry(q, &set->tag_list, tag_set_list)
		blk_mq_unquiesce_queue(q);
	mutex_unlock(&set->tag_list_lock);
}
#endif

/*
 * blk_mq_freeze_queue() returning the memalloc flags that
 * blk_mq_unfreeze_queue() restores (6.14).
 */
#ifndef LNVME_HAVE_FREEZE_MEMFLAGS
static inline unsigned int lnvme_freeze_queue(struct request_queue *q)
{
	blk_mq_freeze_queue(q);
	return 0;
}

static inline void lnvme_unfreeze_queue(struct request_queue *q,
					unsigned int memflags)
{
	blk_mq_unfreeze_queue(q);
}

#define blk_mq_freeze_queue(q)		lnvme_freeze_queue(q)
#define blk_mq_unfreeze_queue(q, memflags) lnvme_unfreeze_queue(q, memflags)
#endif

/* Freezes started and ended in different contexts (6.13). */
#ifndef LNVME_HAVE_FREEZE_NON_OWNER
#define blk_freeze_queue_start_non_owner(q)	blk_freeze_queue_start(q)
#define blk_mq_unfreeze_queue_non_owner(q)	blk_mq_unfreeze_queue(q, 0)
#endif

/* blk_rq_map_sg() (6.15) and blk_rq_map_kern() (6.16) without the queue. */
#ifndef LNVME_HAVE_MAP_SG_RQ
static inline int lnvme_rq_map_sg(struct request *rq, struct scatterlist *sgl)
{
	return blk_rq_map_sg(rq->q, rq, sgl);
}

#define blk_rq_map_sg(rq, sgl)	lnvme_rq_map_sg(rq, sgl)
#endif
#ifndef LNVME_HAVE_MAP_KERN_RQ
static inline int lnvme_rq_map_kern(struct request *rq, void *buf,
				    unsigned int len, gfp_t gfp)
{
	return blk_rq_map_kern(rq->q, rq, buf, len, gfp);
}

#define blk_rq_map_kern(rq, buf, len, gfp) lnvme_rq_map_kern(rq, buf, len, gfp)
#endif

/* blk_mq_map_hw_queues() (6.14), from the device's IRQ affinity. */
#ifndef LNVME_HAVE_MAP_HW_QUEUES
static inline void blk_mq_map_hw_queues(struct blk_mq_queue_map *qmap,
					struct device *dev,
					unsigned int offset)
{
	blk_mq_pci_map_queues(qmap, to_pci_dev(dev), offset);
}
#endif

/*
 * end_io callbacks get the completion batch (7.0).  Before, each of
 * lnvme's end_io functions is defined under another name (the
 * function-like macros below rename the definition, not the plain
 * reference) and referenced through a wrapper of the old type.
 */
#ifndef LNVME_HAVE_END_IO_IOB
#define LNVME_END_IO_COMPAT(fn)						\
enum rq_end_io_ret fn##_iob(struct request *rq, blk_status_t err,	\
			    const struct io_comp_batch *iob);		\
static inline enum rq_end_io_ret (fn)(struct request *rq,		\
				      blk_status_t err)			\
{									\
	return fn##_iob(rq, err, NULL);					\
}

LNVME_END_IO_COMPAT(lnvme_abort_end_io)
LNVME_END_IO_COMPAT(lnvme_uring_end_io)
#define lnvme_abort_end_io(rq, err, iob)	lnvme_abort_end_io_iob(rq, err, iob)
#define lnvme_uring_end_io(rq, err, iob)	lnvme_uring_end_io_iob(rq, err, iob)
#endif

/*
 * Queue limits: struct queue_limits with ->features (BLK_FEAT_*, 6.11)
 * given to blk_mq_alloc_disk()/blk_mq_alloc_queue() and updated with
 * queue_limits_start_update()/queue_limits_commit_update() (6.9).  Before,
 * lnvme's limits are a struct of its own applied with the old setters.
 */
#ifndef LNVME_HAVE_BLK_FEAT
typedef unsigned int __bitwise blk_features_t;
#define BLK_FEAT_WRITE_CACHE	((__force blk_features_t)(1u << 0))
#define BLK_FEAT_FUA		((__force blk_features_t)(1u << 1))

struct lnvme_queue_limits {
	blk_features_t	features;
	unsigned int	logical_block_size;
	unsigned int	physical_block_size;
	unsigned int	io_min;
	unsigned int	max_hw_sectors;
	unsigned int	max_segments;
	unsigned long	virt_boundary_mask;
	unsigned int	dma_alignment;
	unsigned int	max_hw_discard_sectors;
	unsigned int	max_discard_segments;
	unsigned int	discard_granularity;
	unsigned int	max_write_zeroes_sectors;
};

static inline void lnvme_apply_limits(struct request_queue *q,
				      const struct lnvme_queue_limits *lim)
{
	if (lim->logical_block_size)
		blk_queue_logical_block_size(q, lim->logical_block_size);
	if (lim->physical_block_size)
		blk_queue_physical_block_size(q, lim->physical_block_size);
	if (lim->io_min)
		blk_queue_io_min(q, lim->io_min);
	if (lim->max_hw_sectors)
		blk_queue_max_hw_sectors(q, lim->max_hw_sectors);
	if (lim->max_segments)
		blk_queue_max_segments(q, lim->max_segments);
	blk_queue_virt_boundary(q, lim->virt_boundary_mask);
	if (lim->dma_alignment)
		blk_queue_dma_alignment(q, lim->dma_alignment);
	blk_queue_max_discard_sectors(q, lim->max_hw_discard_sectors);
	if (lim->max_discard_segments)
		blk_queue_max_discard_segments(q, lim->max_discard_segments);
	q->limits.discard_granularity = lim->discard_granularity;
	blk_queue_max_write_zeroes_sectors(q, lim->max_write_zeroes_sectors);
	blk_queue_write_cache(q, !!(lim->features & BLK_FEAT_WRITE_CACHE),
			      !!(lim->features & BLK_FEAT_FUA));
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
}

static inline struct lnvme_queue_limits
lnvme_limits_start_update(struct request_queue *q)
{
	struct lnvme_queue_limits lim = {
		.logical_block_size	= queue_logical_block_size(q),
		.physical_block_size	= queue_physical_block_size(q),
		.io_min			= queue_io_min(q),
		.max_hw_sectors		= queue_max_hw_sectors(q),
		.max_segments		= queue_max_segments(q),
		.virt_boundary_mask	= queue_virt_boundary(q),
		.dma_alignment		= queue_dma_alignment(q),
		.max_hw_discard_sectors	= q->limits.max_hw_discard_sectors,
		.max_discard_segments	= queue_max_discard_segments(q),
		.discard_granularity	= q->limits.discard_granularity,
		.max_write_zeroes_sectors = q->limits.max_write_zeroes_sectors,
	};

	if (test_bit(QUEUE_FLAG_WC, &q->queue_flags))
		lim.features |= BLK_FEAT_WRITE_CACHE;
	if (test_bit(QUEUE_FLAG_FUA, &q->queue_flags))
		lim.features |= BLK_FEAT_FUA;
	return lim;
}

static inline int lnvme_limits_commit_update(struct request_queue *q,
					     struct lnvme_queue_limits *lim)
{
	lnvme_apply_limits(q, lim);
	return 0;
}

static inline struct gendisk *
lnvme_mq_alloc_disk(struct blk_mq_tag_set *set,
		    const struct lnvme_queue_limits *lim, void *queuedata)
{
	struct gendisk *disk = blk_mq_alloc_disk(set, queuedata);

	if (!IS_ERR(disk))
		lnvme_apply_limits(disk->queue, lim);
	return disk;
}

static inline struct request_queue *
lnvme_mq_alloc_queue(struct blk_mq_tag_set *set,
		     const struct lnvme_queue_limits *lim, void *queuedata)
{
	struct request_queue *q = blk_mq_init_queue(set);

	if (!IS_ERR(q)) {
		q->queuedata = queuedata;
		lnvme_apply_limits(q, lim);
	}
	return q;
}

#define queue_limits		lnvme_queue_limits
#define queue_limits_start_update(q)	lnvme_limits_start_update(q)
#define queue_limits_commit_update(q, lim) lnvme_limits_commit_update(q, lim)
#undef blk_mq_alloc_disk
#define blk_mq_alloc_disk(set, lim, data) lnvme_mq_alloc_disk(set, lim, data)
#define blk_mq_alloc_queue(set, lim, data) lnvme_mq_alloc_queue(set, lim, data)
#endif

/*
 * io_uring commands.
 *
 * <linux/io_uring/cmd.h>, io_uring_cmd_to_pdu() and io_uring_cmd->sqe
 * (6.6-6.11).  Before, io_uring_cmd->cmd points to the SQE's command
 * bytes: the driver's ioucmd->sqe reads as ioucmd->cmd (the one use of
 * the name sqe in lnvme, which no kernel header included after this file
 * uses), and io_uring_sqe128_cmd() takes those bytes as they are.
 */
#ifndef LNVME_HAVE_IO_URING_CMD_H
#define io_uring_cmd_to_pdu(cmd, pdu_type)	((typeof(pdu_type) *)&(cmd)->pdu)
#define sqe	cmd
#define io_uring_sqe128_cmd(cmdp, type)	((const type *)(cmdp))
#elif !defined(LNVME_HAVE_IO_URING_SQE128_CMD)
/* io_uring_sqe128_cmd(sqe, type): the command of a 128-byte SQE (6.19). */
#define io_uring_sqe128_cmd(sqe, type)	((const type *)io_uring_sqe_cmd(sqe))
#endif

/*
 * IO_URING_F_COMPAT (6.4): set in issue_flags when the ring belongs to a
 * 32-bit task.  Before it the ring's own compat bit, which 6.4 copies into
 * issue_flags, is read from the io_kiocb the command is embedded in
 * (struct io_kiocb and struct io_ring_ctx are public there).
 */
#ifdef LNVME_HAVE_IO_URING_F_COMPAT
static inline bool lnvme_uring_cmd_compat(struct io_uring_cmd *ioucmd,
					  unsigned int issue_flags)
{
	return issue_flags & IO_URING_F_COMPAT;
}
#else
#include <linux/io_uring_types.h>

static inline bool lnvme_uring_cmd_compat(struct io_uring_cmd *ioucmd,
					  unsigned int issue_flags)
{
	return cmd_to_io_kiocb(ioucmd)->ctx->compat;
}
#endif

/*
 * Task-work callbacks of type io_req_tw_func_t, (struct io_tw_req,
 * io_tw_token_t), completed with IO_URING_CMD_TASK_WORK_ISSUE_FLAGS, and
 * io_uring_cmd_done32() for 32-byte CQEs (6.19).  Before, the callback
 * takes (struct io_uring_cmd *, unsigned int issue_flags) and must pass
 * those issue_flags on: lnvme's callback is defined under another name
 * (as for end_io above) and called by a wrapper of the old type, whose
 * token carries the flags.  IO_URING_CMD_TASK_WORK_ISSUE_FLAGS reads them
 * from the token, which lnvme's callbacks name "tw" as the kernel does.
 */
#ifndef LNVME_HAVE_IO_URING_TW_REQ
struct lnvme_io_tw_req {
	struct io_uring_cmd *cmd;
};

struct lnvme_io_tw_token {
	unsigned int issue_flags;
};

#define io_tw_req		lnvme_io_tw_req
#define io_tw_token_t		struct lnvme_io_tw_token
#define IO_URING_CMD_TASK_WORK_ISSUE_FLAGS	(tw.issue_flags)

static inline struct io_uring_cmd *io_uring_cmd_from_tw(struct io_tw_req req)
{
	return req.cmd;
}

#define io_uring_cmd_done32(ioucmd, ret, res2, issue_flags) \
	io_uring_cmd_done(ioucmd, ret, res2, issue_flags)

#define LNVME_TW_COMPAT(fn)						\
void fn##_tw(struct io_tw_req tw_req, io_tw_token_t tw);		\
static inline void (fn)(struct io_uring_cmd *ioucmd,			\
			unsigned int issue_flags)			\
{									\
	fn##_tw((struct io_tw_req){ .cmd = ioucmd },			\
		(io_tw_token_t){ .issue_flags = issue_flags });		\
}

LNVME_TW_COMPAT(lnvme_uring_task_cb)
#define lnvme_uring_task_cb(tw_req, tw)	lnvme_uring_task_cb_tw(tw_req, tw)
#endif

/* io_uring_cmd_do_in_task_lazy() (6.5). */
#ifndef LNVME_HAVE_IO_URING_DO_IN_TASK_LAZY
#define io_uring_cmd_do_in_task_lazy(ioucmd, cb) \
	io_uring_cmd_complete_in_task(ioucmd, cb)
#endif

#endif /* LNVME_COMPAT_H */
