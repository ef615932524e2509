/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lnvme: an NVMe PCIe blk-mq driver.
 *
 * The data path, one file per step:
 *   block/cmd.c      request -> struct nvme_command
 *   block/prp.c      request data -> DMA mapping -> PRP entries / lists
 *   hw/queue.c       command -> submission queue -> tail doorbell;
 *                    completion queue -> CQE -> head doorbell
 *   block/complete.c CQE status -> blk_status_t -> request completion
 *
 * The controller side lives in hw/ (PCI, registers, admin commands, queue
 * pairs, interrupts), the block side in block/ (tag sets, disks, requests).
 */
#ifndef LNVME_H
#define LNVME_H

#include <linux/blk-mq.h>
#include <linux/cdev.h>
#include <linux/dmapool.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/nvme.h>
#include <linux/pci.h>
#include <linux/ratelimit.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "compat.h"

/* The module and package version (modinfo; dkms.conf says the same). */
#define LNVME_VERSION	"0.1.0"

#define LNVME_NAME		"lnvme"
#define LNVME_MAX_MINORS	BIT(MINORBITS)

/* lnvme always talks to the controller in 4 KiB pages (CC.MPS = 0). */
#define LNVME_CTRL_PAGE_SHIFT	12
#define LNVME_CTRL_PAGE_SIZE	BIT(LNVME_CTRL_PAGE_SHIFT)

#define LNVME_AQ_DEPTH		32	/* admin SQ/CQ entries */
#define LNVME_AQ_TAGS		(LNVME_AQ_DEPTH - 2)	/* one slot: event request */
#define LNVME_EVENT_CID		LNVME_AQ_TAGS	/* command id of the event request */

/*
 * Command ids: the blk-mq tag in the low 12 bits, and a 4-bit generation
 * that changes every time the tag is used, so a late or duplicate CQE is
 * recognised and dropped instead of completing a request twice.
 */
#define LNVME_CID_TAG_BITS	12
#define LNVME_CID_TAG_MASK	(BIT(LNVME_CID_TAG_BITS) - 1)
#define LNVME_MAX_QUEUE_DEPTH	BIT(LNVME_CID_TAG_BITS)
#define LNVME_MAX_SEGS		128	/* data segments per request */
#define LNVME_MAX_XFER_SECTORS	(4096 * 2)	/* 4 MiB cap on MDTS */
#define LNVME_MAX_POLL_QUEUES	128	/* poll_queues parameter limit */
#define LNVME_MAX_WRITE_QUEUES	4095	/* write_queues parameter limit */

/* PRP lists: a small pool for short lists, page-sized chained lists. */
#define LNVME_SMALL_POOL_SIZE	256
#define LNVME_PRPS_PER_PAGE	(LNVME_CTRL_PAGE_SIZE / sizeof(__le64))
#define LNVME_MAX_LISTS		4	/* enough for LNVME_MAX_XFER_SECTORS */

/*
 * Scatterlists.  Single-segment requests need none (dma_map_bvec()).  A
 * request of up to LNVME_INLINE_SGS segments uses the entries in its iod;
 * one with more takes an LNVME_MAX_SEGS-entry table from ctrl->sg_pool.
 * Three (32 bytes each) is the most that keeps struct request plus the
 * iod within 512 bytes (248 + 264 on Debian's 6.12 x86-64; blk-mq rounds
 * each request up to a cache line), what the in-kernel driver's requests
 * take; 8-12 KiB requests of scattered pages need no table either.
 */
#define LNVME_INLINE_SGS	3
#define LNVME_SG_POOL_MIN	1	/* tables kept for forward progress */

/* SGL descriptors: 16 bytes each, from the same pools as PRP lists. */
#define LNVME_SGLS_SUPPORTED	0x3	/* Identify Controller SGLS bits 1:0 */

/* Identify Namespace DLFEAT bits. */
#define LNVME_DLFEAT_ZEROES	0x1	/* deallocated blocks read as zeroes */
#define LNVME_DLFEAT_WZ_DEAC	0x8	/* Write Zeroes may deallocate */

enum lnvme_state {
	LNVME_STATE_NEW,
	LNVME_STATE_LIVE,
	LNVME_STATE_RESETTING,
	LNVME_STATE_CONNECTING,
	LNVME_STATE_DELETING,
	LNVME_STATE_DEAD,
};

struct lnvme_ctrl;

/*
 * One submission/completion queue pair.  The submission side is written by
 * queue_rq under sq_lock; the completion side by the interrupt handler (or
 * under cq_lock by pollers).  They sit on separate cache lines.
 */
struct lnvme_queue {
	spinlock_t		sq_lock;	/* serialises SQ tail and doorbell */
	struct nvme_command	*sqes;
	u32 __iomem		*sq_db;
	__le32			*shadow_sq_db;	/* shadow doorbell, or NULL */
	__le32			*shadow_sq_ei;	/* its event index */
	u16			sq_tail;
	u16			sq_tail_rung;	/* last tail told to the device */

	spinlock_t		cq_lock ____cacheline_aligned_in_smp;
	struct nvme_completion	*cqes;
	u32 __iomem		*cq_db;
	__le32			*shadow_cq_db;
	__le32			*shadow_cq_ei;
	struct blk_mq_tags	*tags;
	u16			cq_head;
	u8			cq_phase;

	struct lnvme_ctrl	*ctrl ____cacheline_aligned_in_smp;
	dma_addr_t		sq_dma;
	dma_addr_t		cq_dma;
	u16			depth;
	u16			qid;
	s16			vector;		/* MSI-X index, -1 when polled */
	/*
	 * The queue exists on the controller.  The admin queue's flag is
	 * written only under its sq_lock (lnvme_queue_set_created(), by the
	 * disable and the (re-)enable, both under disable_lock), so that
	 * lnvme_event_submit() checks it and writes the SQ in one critical
	 * section.  An I/O queue's flag is also written by hw/admin.c while
	 * blk-mq cannot dispatch to it; lnvme_prep_rq() reads it unlocked
	 * and fails the request when it is false.
	 */
	bool			created;
	bool			irq_requested;
	/* hw/health.c, under disable_lock: what its last run saw. */
	bool			health_busy;
	bool			health_was_busy;
	u32			health_seen;	/* cq_head | cq_phase << 16 */
};

/* The per-request driver data, in the blk-mq request pdu. */
struct lnvme_iod {
	struct nvme_command	cmd;
	union nvme_result	result;
	u16			status;		/* NVMe status, phase bit dropped */
	u8			retries;
	u8			gen;		/* command id generation */
	bool			aborted;	/* an Abort was sent for it */
	/*
	 * Handed back by a cancel pass after its timeout had expired: the
	 * controller did not answer it, so the hand-back counts as a retry
	 * (bounded by max_retries).  Set by lnvme_cancel_rq(), read by the
	 * completion, cleared when the request is prepared again.
	 */
	bool			timed_out;
	u8			nr_lists;	/* descriptor lists from the pools */
	bool			use_sgl;
	bool			small_list;	/* lists[0] is from the small pool */
	/*
	 * sg_table holds a table from ctrl->sg_pool, in place of the inline
	 * entries.  Taken by lnvme_map_data() and given back by
	 * lnvme_unmap_data() (or by lnvme_map_data() when mapping fails), so
	 * a completion, a cancel pass and a failed prepare free it once.
	 */
	bool			sg_pooled;
	/*
	 * Who ends the request: the completion of its CQE or a cancel pass,
	 * whichever claims it first (lnvme_iod_claim()); cleared when the
	 * request is prepared.  A poller keeps the requests it reaped in an
	 * io_comp_batch, still MQ_RQ_IN_FLIGHT, until io_uring ends the
	 * batch after cq_lock is dropped, so a cancel pass that runs
	 * meanwhile would otherwise end them a second time.
	 */
	u8			claimed;
	int			nents;		/* sg entries given to dma_map_sg */
	dma_addr_t		bvec_dma;	/* single-segment mapping */
	u32			bvec_len;
	/*
	 * Bytes of the integrity payload mapped for the metadata pointer,
	 * 0 when none is; its DMA address is the command's MPTR
	 * (cmd.common.metadata), which nothing rewrites while it is mapped.
	 * Set by lnvme_map_meta(), cleared by lnvme_unmap_meta() and for
	 * each new request by lnvme_setup_cmd().
	 */
	u32			meta_len;
	dma_addr_t		list_dma[LNVME_MAX_LISTS];
	void			*lists[LNVME_MAX_LISTS];
	union {
		struct scatterlist	inline_sg[LNVME_INLINE_SGS];
		struct scatterlist	*sg_table;	/* when sg_pooled */
	};
};

/* A zoned namespace's geometry (block/zoned.c); no padding: memcmp()ed. */
struct lnvme_zone_info {
	u64			zone_sectors;
	u32			max_open;	/* 0: no limit */
	u32			max_active;	/* 0: no limit */
	u32			max_append;	/* zone append sectors */
	u32			lba_shift;
};

struct lnvme_ns {
	struct list_head	entry;
	struct lnvme_ctrl	*ctrl;
	struct gendisk		*disk;
	u32			nsid;
	u8			lba_shift;	/* data bytes per block, log2 */
	u8			dlfeat;
	u16			ms;		/* metadata bytes per block */
	bool			ext;		/* metadata inline with the data */
	bool			pi_only;	/* the metadata is 8 bytes of PI */
	u8			pi_type;	/* NVME_NS_DPS_PI_TYPE1..3 checked, or 0 */
	bool			hidden;		/* no block device, generic node only */
	bool			added;		/* its disk is live (under ns_lock) */
	bool			removed;	/* off the list, being deleted */
	bool			generic_added;
	u8			csi;		/* command set (hw/csi.c) */
	struct lnvme_zone_info	zi;		/* when csi is NVME_CSI_ZNS */
	struct device		cdev_dev;	/* /dev/lng<C>n<N> */
	struct cdev		cdev;
};

struct lnvme_ctrl {
	struct pci_dev		*pdev;
	struct device		*dev;		/* the PCI device */
	struct device		cdev_dev;	/* /dev/lnvme<C>; owns this */
	struct cdev		cdev;
	struct rw_semaphore	teardown_rwsem;	/* ioctls vs. removal */
	bool			removing;
	void __iomem		*bar;
	u32 __iomem		*dbs;
	u32			db_stride;	/* in u32 units */
	u64			cap;
	u32			vs;
	int			instance;

	spinlock_t		state_lock;	/* protects state transitions */
	enum lnvme_state	state;
	struct work_struct	reset_work;
	/*
	 * The one owner of disabling the controller.  Held by
	 * lnvme_ctrl_disable() across quiesce, CC.EN = 0 (or the bus master
	 * fence when the controller does not disable), the created flags and
	 * the cancel pass, so that two passes (timeouts on two namespaces, a
	 * timeout racing a reset, a kill racing a reset) never both end the
	 * same request: each request in flight is ended exactly once.  Also
	 * held by the reset while it enables the controller again and while
	 * it goes live and unquiesces, so a disable never interleaves with
	 * either.  Process context only (reset work, blk-mq timeout work,
	 * probe, remove, ioctls through lnvme_ctrl_kill()); it sleeps.
	 * Order: disable_lock, then tag_list_lock (quiesce), then a queue's
	 * sq_lock or cq_lock.  Never held across del_gendisk(), a queue
	 * freeze or blk_mq_destroy_queue(): they wait for timeout handlers,
	 * which take it.
	 */
	struct mutex		disable_lock;
	/*
	 * Atomic bits.  The QUIESCED and FENCED bits change under
	 * disable_lock (LNVME_IO_QUIESCED also in lnvme_qcount_switch()).
	 * LNVME_FENCED: bus mastering was cleared because the controller did
	 * not disable; the reset clears it when it sets bus mastering again.
	 * LNVME_EVENT_PENDING: an event request is outstanding on the controller; set
	 * by lnvme_event_submit() under the admin queue's sq_lock, cleared by
	 * the event request's completion (interrupt context) and by
	 * lnvme_ctrl_disable() (a disabled controller forgets it).
	 */
	unsigned long		flags;
#define LNVME_IO_QUIESCED	0
#define LNVME_ADMIN_QUIESCED	1
#define LNVME_NS_ADD_BLOCKED	2	/* a queue switch holds the ns frozen */
#define LNVME_FENCED		3
#define LNVME_EVENT_PENDING	4
/*
 * LNVME_HELD: the controller is held stopped (RESETTING, disabled) for a
 * reset or power-down from outside, between lnvme_hold() and
 * lnvme_hold_release(), which change it under the PCI device lock.
 */
#define LNVME_HELD		5
	atomic_t		aborts;		/* Abort commands outstanding */
	struct work_struct	event_work;
	/*
	 * Armed while a fatal PCIe error holds the controller: if the PCI
	 * core's recovery never reaches slot_reset, it restarts (or kills)
	 * the controller.  It and lnvme_hold_release() claim LNVME_HELD with
	 * test_and_clear_bit(), so only one of them restarts it.
	 */
	struct delayed_work	hold_watchdog;
	u32			event_result;
	u16			event_status;
	/*
	 * SMART / Health: the critical warning bits of the last SMART log
	 * read (hw/events.c), so that each warning is logged once; and the
	 * rate limit of those lines.
	 */
	atomic_t		smart_warning;
	struct ratelimit_state	smart_rs;
	/* hw/health.c: runs while commands are outstanding. */
	struct delayed_work	health_work;
	/* hw/hwmon.c: the temperature sensors, or NULL. */
	struct device		*hwmon;
	u16			cctemp;		/* Kelvin, 0: not reported */

	/* From Identify Controller. */
	char			serial[21];
	char			model[41];
	char			firmware[9];
	u32			max_hw_sectors;
	u32			nn;
	u16			oncs;
	u16			oacs;
	u8			vwc;
	u32			sgls;
	u8			acl;		/* Abort Command Limit, 1-based */
	u32			oaes;		/* Optional Async Events Supported */
	u32			shutdown_timeout;	/* ms */

	/*
	 * queues[0] is the admin queue, then the I/O queues of each blk-mq
	 * map in order: DEFAULT (interrupt), READ (interrupt), POLL.  The
	 * array has room for max_qid I/O queues, the most a reset may ask
	 * for; nr_io_queues of them are allocated.
	 */
	struct lnvme_queue	*queues;
	unsigned int		max_qid;
	unsigned int		nr_io_queues;
	unsigned int		nr_map_queues[HCTX_MAX_TYPES];
	bool			sgl_ok;
	unsigned int		nr_vecs;
	unsigned int		io_depth;

	struct blk_mq_tag_set	admin_set;
	struct request_queue	*admin_q;
	struct blk_mq_tag_set	io_set;
	bool			io_set_ready;

	/* Shadow doorbells and event indexes (Doorbell Buffer Config). */
	__le32			*dbbuf_dbs;
	__le32			*dbbuf_eis;
	dma_addr_t		dbbuf_dbs_dma;
	dma_addr_t		dbbuf_eis_dma;

	struct dma_pool		*small_pool;
	struct dma_pool		*page_pool;
	mempool_t		*sg_pool;	/* scatterlists past the inline ones */

	/*
	 * Namespaces.  The list is changed only by a scan (and by removal),
	 * with scan_lock AND ns_lock held; it may be read under either.
	 *
	 * scan_lock serialises the scans and everything that must not run
	 * beside one: lnvme_ns_scan() (probe, the rescan ioctl and sysfs
	 * attribute, scan_work), a namespace-changing admin ioctl (freeze,
	 * command, rescan, unfreeze) and lnvme_ns_remove_all().  Process
	 * context only, taken after teardown_rwsem (read, ioctls), or alone
	 * (scan_work, sysfs, probe, removal once teardown_rwsem is released).
	 * It may be held across waits for admin commands and for I/O
	 * (Identify, device_add_disk(), del_gendisk(), queue freezes, also
	 * while the holder keeps the queues frozen), because nothing that
	 * such a wait depends on takes it: the reset work never does (it
	 * queues scan_work instead of scanning), and no I/O or admin
	 * completion path does.  Never flush scan_work while holding it.
	 *
	 * ns_lock only guards the list and the ns->added flag.  Process
	 * context; taken after teardown_rwsem and scan_lock, and by the reset
	 * work (lnvme_qcount_switch()) while I/O is quiesced.  So whoever
	 * holds it must not wait for I/O or for an admin command: no queue
	 * freeze (blk_freeze_queue_start() is fine, it does not wait),
	 * del_gendisk(), device_add_disk(), sync, Identify, flush of the reset
	 * work, and no memory allocation (reclaim may wait for I/O).  Take
	 * the namespaces off the list, or references to their disks
	 * (get_device(disk_to_dev())), under it, and wait after dropping it.
	 *
	 * scan_work runs lnvme_ns_scan() for the reset work and the event work,
	 * which must not wait for a scan (lnvme_ns_queue_scan()).
	 */
	struct mutex		scan_lock;	/* one scan at a time */
	struct mutex		ns_lock;	/* the list, ns->added */
	struct list_head	namespaces;
	struct work_struct	scan_work;
};

static inline struct lnvme_iod *lnvme_iod(struct request *req)
{
	return blk_mq_rq_to_pdu(req);
}

/* Take the right to end the request; false if someone else has it. */
static inline bool lnvme_iod_claim(struct lnvme_iod *iod)
{
	return cmpxchg(&iod->claimed, 0, 1) == 0;
}

/* The request's scatterlist: the inline entries or its pooled table. */
static inline struct scatterlist *lnvme_iod_sg(struct lnvme_iod *iod)
{
	return iod->sg_pooled ? iod->sg_table : iod->inline_sg;
}

/* hw/params.c */
extern unsigned int lnvme_max_io_queues;
extern unsigned int lnvme_io_queue_depth;
extern unsigned int lnvme_admin_timeout;
extern unsigned int lnvme_io_timeout;
extern unsigned int lnvme_max_retries;
extern unsigned int lnvme_poll_queues;
extern unsigned int lnvme_write_queues;
extern unsigned int lnvme_sgl_threshold;
extern bool lnvme_shadow_doorbells;
extern unsigned int lnvme_irq_coalesce_thr;
extern unsigned int lnvme_irq_coalesce_time;
int lnvme_params_check(void);

/* hw/pci.c */
void lnvme_instance_free(int instance);

/* hw/cdev.c */
extern LNVME_CLASS_CONST struct class lnvme_class;
void lnvme_cdev_init(struct lnvme_ctrl *ctrl);
int lnvme_cdev_add(struct lnvme_ctrl *ctrl);
void lnvme_cdev_del(struct lnvme_ctrl *ctrl);
dev_t lnvme_generic_devt(unsigned int minor);
int lnvme_cdev_register(void);
void lnvme_cdev_unregister(void);

/* hw/events.c */
#define LNVME_SMART_EVENTS	(NVME_SMART_CRIT_SPARE | \
				 NVME_SMART_CRIT_TEMPERATURE | \
				 NVME_SMART_CRIT_RELIABILITY | \
				 NVME_SMART_CRIT_MEDIA | \
				 NVME_SMART_CRIT_VOLATILE_MEMORY)
void lnvme_event_prepare(struct lnvme_ctrl *ctrl);
void lnvme_event_submit(struct lnvme_ctrl *ctrl);
void lnvme_event_complete(struct lnvme_ctrl *ctrl, struct nvme_completion *cqe);
int lnvme_get_log(struct lnvme_ctrl *ctrl, u8 lid, void *buf, unsigned int len);
unsigned int lnvme_smart_temp(const struct nvme_smart_log *log);
void lnvme_smart_note(struct lnvme_ctrl *ctrl, const struct nvme_smart_log *log);

/* hw/hwmon.c */
void lnvme_hwmon_register(struct lnvme_ctrl *ctrl);
void lnvme_hwmon_unregister(struct lnvme_ctrl *ctrl);

/*
 * hw/health.c: every LNVME_HEALTH_TICK_MS while commands are outstanding,
 * CSTS is read when a queue with commands in flight completed nothing
 * since the last tick.  lnvme_health_arm() is called at every doorbell
 * (hw/queue.c): a test of the work's pending bit, and a queue_delayed_work
 * when it is not pending.
 */
#define LNVME_HEALTH_TICK_MS	500
void lnvme_health_prepare(struct lnvme_ctrl *ctrl);
void lnvme_health_kick(struct lnvme_ctrl *ctrl);
void lnvme_health_stop(struct lnvme_ctrl *ctrl);

static inline void lnvme_health_arm(struct lnvme_ctrl *ctrl)
{
	if (unlikely(!delayed_work_pending(&ctrl->health_work)))
		lnvme_health_kick(ctrl);
}

/* hw/regs.c */
int lnvme_regs_enable(struct lnvme_ctrl *ctrl);
int lnvme_regs_disable(struct lnvme_ctrl *ctrl);
int lnvme_regs_shutdown(struct lnvme_ctrl *ctrl);
bool lnvme_regs_gone(struct lnvme_ctrl *ctrl);

/* hw/queue.c */
int lnvme_queue_alloc(struct lnvme_ctrl *ctrl, u16 qid, u16 depth);
void lnvme_queue_free(struct lnvme_queue *nq);
void lnvme_queue_reset(struct lnvme_queue *nq);
void lnvme_queue_set_created(struct lnvme_queue *nq, bool created);
void lnvme_sq_write(struct lnvme_queue *nq, struct nvme_command *cmd,
		    bool ring);
void lnvme_sq_ring(struct lnvme_queue *nq);
void lnvme_sq_write_locked(struct lnvme_queue *nq, struct nvme_command *cmd);
void lnvme_sq_ring_locked(struct lnvme_queue *nq);
bool lnvme_cqe_pending(struct lnvme_queue *nq);
int lnvme_cq_reap(struct lnvme_queue *nq, struct io_comp_batch *iob);

/* hw/dbbuf.c */
void lnvme_dbbuf_setup(struct lnvme_ctrl *ctrl);
void lnvme_dbbuf_free(struct lnvme_ctrl *ctrl);
bool lnvme_dbbuf_update(__le32 *db, __le32 *ei, u16 value);

/* hw/irq.c */
int lnvme_irq_setup_admin(struct lnvme_ctrl *ctrl);
int lnvme_irq_setup_io(struct lnvme_ctrl *ctrl, unsigned int want);
int lnvme_irq_request(struct lnvme_queue *nq);
void lnvme_irq_free(struct lnvme_queue *nq);
void lnvme_irq_release(struct lnvme_ctrl *ctrl);

/*
 * hw/admin.c
 *
 * lnvme_admin_exec() runs one admin command and waits for it.  It returns,
 * and so do lnvme_identify() and lnvme_delete_io_queue():
 *   0    the controller completed the command successfully;
 *   > 0  the NVMe status the controller completed it with (Status Code Type
 *        and Status Code, NVME_SCT_SC_MASK, with the DNR and More bits): a
 *        definite answer from the controller;
 *   < 0  a negative errno: the host got no answer from the controller:
 *        -ETIMEDOUT  the command timed out (the reset or the controller's
 *                    death that followed ended it),
 *        -EINTR      a controller reset cancelled it,
 *        -ENODEV     the controller is dead or being removed (cancelled),
 *        -EIO        it could not be sent (dead controller, queue gone),
 *        -ENOMEM ... it could not be set up.
 * Only a positive value says something about the controller's view (a
 * namespace that is not there, a feature it refuses).  The requests a
 * reset cancels end with the host-made status NVME_SC_HOST_ABORTED_CMD
 * (block/tagset.c); lnvme_admin_exec() turns that into an errno, and so
 * does lnvme_rq_result() for the passthrough ioctls and io_uring commands
 * (on any queue), which return the same values.
 * lnvme_admin_log() prints either kind (errno by name, status in hex);
 * lnvme_admin_errno() makes a status an -EIO for callers that return an
 * errno.
 */
int lnvme_queue_exec(struct lnvme_ctrl *ctrl, struct request_queue *q,
		     struct nvme_command *cmd, void *buf, unsigned int len,
		     u32 *result, unsigned int timeout);
int lnvme_admin_exec(struct lnvme_ctrl *ctrl, struct nvme_command *cmd,
		     void *buf, unsigned int len, u32 *result);
int lnvme_rq_result(struct lnvme_ctrl *ctrl, struct request *req,
		    blk_status_t sts);
__printf(4, 5)
void lnvme_admin_log(struct lnvme_ctrl *ctrl, const char *level, int ret,
		     const char *fmt, ...);

static inline int lnvme_admin_errno(int ret)
{
	return ret > 0 ? -EIO : ret;
}

int lnvme_identify(struct lnvme_ctrl *ctrl, u8 cns, u32 nsid, void *buf);
int lnvme_set_queue_count(struct lnvme_ctrl *ctrl, unsigned int *count);
void lnvme_set_irq_coalescing(struct lnvme_ctrl *ctrl);
void lnvme_set_aen_config(struct lnvme_ctrl *ctrl);
int lnvme_create_io_queue(struct lnvme_queue *nq);
int lnvme_delete_io_queue(struct lnvme_queue *nq);

/* hw/csi.c */
u32 lnvme_csi_cc_css(struct lnvme_ctrl *ctrl);
int lnvme_identify_csi(struct lnvme_ctrl *ctrl, u8 cns, u8 csi, u32 nsid,
		       void *buf);
int lnvme_ns_csi_probe(struct lnvme_ns *ns, struct nvme_id_ns *id);
int lnvme_ns_csi_update(struct lnvme_ns *ns, struct nvme_id_ns *id);

/* hw/ctrl.c */
int lnvme_ctrl_start(struct lnvme_ctrl *ctrl);
void lnvme_split_queues(unsigned int nr_irq, unsigned int nr_poll,
			unsigned int *nr_map);
unsigned int lnvme_want_irq_queues(unsigned int max_qid);
void lnvme_fit_queues(unsigned int granted, unsigned int *nr_irq,
		      unsigned int *nr_poll);
int lnvme_ctrl_create_io_queue(struct lnvme_ctrl *ctrl, u16 qid, bool polled);
void lnvme_delete_io_queues(struct lnvme_ctrl *ctrl);
void lnvme_free_io_queues(struct lnvme_ctrl *ctrl);
void lnvme_ctrl_stop(struct lnvme_ctrl *ctrl);
bool lnvme_ctrl_set_state(struct lnvme_ctrl *ctrl, enum lnvme_state state);
enum lnvme_state lnvme_ctrl_state(struct lnvme_ctrl *ctrl);
const char *lnvme_ctrl_state_name(struct lnvme_ctrl *ctrl);
void lnvme_ctrl_kill(struct lnvme_ctrl *ctrl, const char *why);
void lnvme_ctrl_quiesce(struct lnvme_ctrl *ctrl);
void lnvme_ctrl_unquiesce(struct lnvme_ctrl *ctrl);
int lnvme_ctrl_disable(struct lnvme_ctrl *ctrl, bool retry);

/* hw/reset.c */
int lnvme_reset_init(void);
void lnvme_reset_exit(void);
void lnvme_reset_prepare(struct lnvme_ctrl *ctrl);
bool lnvme_reset_schedule(struct lnvme_ctrl *ctrl);
int lnvme_reset_sync(struct lnvme_ctrl *ctrl);
bool lnvme_reset_from_timeout(struct lnvme_ctrl *ctrl, const char *why);
int lnvme_abort_send(struct lnvme_ctrl *ctrl, struct request *req);
void lnvme_reset_queue(struct lnvme_ctrl *ctrl);

/* hw/hold.c */
void lnvme_hold_prepare(struct lnvme_ctrl *ctrl);
bool lnvme_hold(struct lnvme_ctrl *ctrl, bool shutdown);
int lnvme_hold_release(struct lnvme_ctrl *ctrl, bool wait);
void lnvme_hold_watch(struct lnvme_ctrl *ctrl);
void lnvme_hold_unwatch(struct lnvme_ctrl *ctrl);

/* hw/pcierr.c */
extern const struct pci_error_handlers lnvme_err_handlers;

/* hw/pm.c */
extern const struct dev_pm_ops lnvme_pm_ops;

/* hw/reset.c: the abort command's end_io (compat.h wraps it on old kernels) */
enum rq_end_io_ret lnvme_abort_end_io(struct request *abort,
				      blk_status_t error,
				      const struct io_comp_batch *iob);

/* hw/qcount.c */
struct lnvme_qcount {
	unsigned int		nr_irq;
	unsigned int		nr_poll;
	unsigned int		nr_map[HCTX_MAX_TYPES];
};

int lnvme_qcount_negotiate(struct lnvme_ctrl *ctrl, struct lnvme_qcount *next,
			   unsigned int *granted);
bool lnvme_qcount_changed(struct lnvme_ctrl *ctrl,
			  const struct lnvme_qcount *next);
int lnvme_qcount_switch(struct lnvme_ctrl *ctrl,
			const struct lnvme_qcount *next);

/* block/tagset.c */
int lnvme_admin_tagset_init(struct lnvme_ctrl *ctrl);
void lnvme_queue_rqs(struct rq_list *rqlist);
void lnvme_admin_tagset_exit(struct lnvme_ctrl *ctrl);
int lnvme_io_tagset_init(struct lnvme_ctrl *ctrl);
void lnvme_io_tagset_exit(struct lnvme_ctrl *ctrl);
void lnvme_cancel_requests(struct lnvme_ctrl *ctrl, bool retry);

/* block/cmd.c */
blk_status_t lnvme_setup_cmd(struct lnvme_ns *ns, struct request *req);

/* block/dma.c */
blk_status_t lnvme_map_data(struct lnvme_ctrl *ctrl, struct request *req);
void lnvme_unmap_data(struct lnvme_ctrl *ctrl, struct request *req);
void *lnvme_list_alloc(struct lnvme_ctrl *ctrl, struct lnvme_iod *iod,
		       bool small);
void lnvme_free_lists(struct lnvme_ctrl *ctrl, struct lnvme_iod *iod);
int lnvme_pools_create(struct lnvme_ctrl *ctrl);
void lnvme_pools_destroy(struct lnvme_ctrl *ctrl);

/* block/integrity.c */
void lnvme_integrity_limits(struct lnvme_ns *ns, struct queue_limits *lim);
blk_status_t lnvme_rw_pi(struct lnvme_ns *ns, struct request *req,
			 u16 *control);
void lnvme_set_ref_tag(struct lnvme_ns *ns, struct nvme_command *c, u64 lba);
blk_status_t lnvme_map_meta(struct lnvme_ctrl *ctrl, struct request *req);
void lnvme_unmap_meta(struct lnvme_ctrl *ctrl, struct request *req);
int lnvme_map_user_meta(struct request *req, struct gendisk *disk,
			u64 ubuf, u32 len);

/* block/prp.c */
blk_status_t lnvme_build_prps(struct lnvme_ctrl *ctrl, struct request *req,
			      struct scatterlist *sg);

/* block/sgl.c */
blk_status_t lnvme_build_sgl(struct lnvme_ctrl *ctrl, struct request *req,
			     struct scatterlist *sgl, int count);
void lnvme_sgl_set_data(struct nvme_sgl_desc *desc, dma_addr_t addr,
			u32 len);

/* block/complete.c */
void lnvme_complete_cqe(struct lnvme_queue *nq, struct nvme_completion *cqe,
			struct io_comp_batch *iob);
void lnvme_complete_rq(struct request *req);
blk_status_t lnvme_status_to_blk(u16 status);

/* block/ioctl.c */
bool lnvme_cmd_allowed(struct lnvme_ns *ns, u8 opcode, bool read_open);
int lnvme_user_xfer_check(struct lnvme_ctrl *ctrl, struct request_queue *q,
			  const struct nvme_command *c, u64 have,
			  u64 meta_have);
long lnvme_ioctl(struct lnvme_ctrl *ctrl, struct lnvme_ns *ns,
		 unsigned int cmd, void __user *argp, bool read_open);

/* block/uring.c */
struct io_uring_cmd;
int lnvme_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
enum rq_end_io_ret lnvme_uring_end_io(struct request *req, blk_status_t err,
				      const struct io_comp_batch *iob);
void lnvme_uring_task_cb(struct io_tw_req tw_req, io_tw_token_t tw);
int lnvme_uring_cmd_iopoll(struct io_uring_cmd *ioucmd,
			   struct io_comp_batch *iob, unsigned int poll_flags);

/* block/generic.c */
int lnvme_generic_add(struct lnvme_ns *ns);
void lnvme_generic_del(struct lnvme_ns *ns);

/* block/disk.c */
void lnvme_ns_prepare(struct lnvme_ctrl *ctrl);
int lnvme_ns_scan(struct lnvme_ctrl *ctrl);
int lnvme_ns_scan_locked(struct lnvme_ctrl *ctrl);
void lnvme_ns_queue_scan(struct lnvme_ctrl *ctrl);
u32 lnvme_ns_block_bytes(struct lnvme_ns *ns);
void lnvme_ns_remove_all(struct lnvme_ctrl *ctrl);
struct gendisk **lnvme_ns_freeze_all(struct lnvme_ctrl *ctrl, bool wait);
void lnvme_ns_unfreeze_all(struct gendisk **disks);

/* block/zoned.c */
#ifdef CONFIG_BLK_DEV_ZONED
int lnvme_zoned_probe(struct lnvme_ns *ns, struct nvme_id_ns *id,
		      struct lnvme_zone_info *zi);
void lnvme_zoned_limits(struct lnvme_ns *ns, struct queue_limits *lim);
int lnvme_zoned_revalidate(struct lnvme_ns *ns, bool rescan);
int lnvme_zoned_report(struct gendisk *disk, sector_t sector,
		       unsigned int nr_zones, report_zones_cb cb, void *data);
blk_status_t lnvme_zoned_setup_cmd(struct lnvme_ns *ns, struct request *req,
				   struct nvme_command *c);

/* At the CQE: a Zone Append's dwords 0-1 are the first LBA it wrote. */
static inline void lnvme_zoned_complete(struct request *req,
					struct lnvme_iod *iod)
{
	struct lnvme_ns *ns = req->q->queuedata;

	if (req_op(req) != REQ_OP_ZONE_APPEND || iod->status)
		return;
	req->__sector = le64_to_cpu(iod->result.u64) <<
			(ns->lba_shift - SECTOR_SHIFT);
}
#else
static inline int lnvme_zoned_probe(struct lnvme_ns *ns, struct nvme_id_ns *id,
				    struct lnvme_zone_info *zi)
{
	dev_warn(ns->ctrl->dev, "namespace %u: zoned, but the kernel has no CONFIG_BLK_DEV_ZONED: no block device\n",
		 ns->nsid);
	return 1;
}

static inline void lnvme_zoned_limits(struct lnvme_ns *ns,
				      struct queue_limits *lim)
{
}

static inline int lnvme_zoned_revalidate(struct lnvme_ns *ns, bool rescan)
{
	return 0;
}

#define lnvme_zoned_report	NULL

static inline blk_status_t lnvme_zoned_setup_cmd(struct lnvme_ns *ns,
						 struct request *req,
						 struct nvme_command *c)
{
	return BLK_STS_NOTSUPP;
}

static inline void lnvme_zoned_complete(struct request *req,
					struct lnvme_iod *iod)
{
}
#endif

#endif /* LNVME_H */
