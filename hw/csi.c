// SPDX-License-Identifier: GPL-2.0
/*
 * I/O Command Set selection (NVMe 2.0).
 *
 * A controller whose CAP.CSS advertises I/O command sets is enabled with
 * CC.CSS = 110b ("all supported I/O command sets"): only then does it let
 * the host use a zoned namespace's Zoned command set.  Any other
 * controller is enabled with the NVM command set, as before.  Whether a
 * controller has a zoned namespace is not known before it is enabled, and
 * with CC.CSS = 110b its NVM namespaces behave as with the NVM command set.
 *
 * Each namespace's command set comes from its Namespace Identification
 * Descriptor list (CSI descriptor).  An NVM namespace is handled by
 * block/disk.c as ever; a zoned one by block/zoned.c; any other command set
 * gets no block device (generic node only).
 */
#include "../lnvme.h"

static bool lnvme_csi_enabled(struct lnvme_ctrl *ctrl)
{
	return NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_CSI;
}

/* The CC.CSS value to enable the controller with (hw/regs.c). */
u32 lnvme_csi_cc_css(struct lnvme_ctrl *ctrl)
{
	return lnvme_csi_enabled(ctrl) ? NVME_CC_CSS_CSI : NVME_CC_CSS_NVM;
}

/* Identify with a Command Set Identifier; returns as lnvme_identify(). */
int lnvme_identify_csi(struct lnvme_ctrl *ctrl, u8 cns, u8 csi, u32 nsid,
		       void *buf)
{
	struct nvme_command c = { };

	c.identify.opcode = nvme_admin_identify;
	c.identify.nsid = cpu_to_le32(nsid);
	c.identify.cns = cns;
	c.identify.csi = csi;
	return lnvme_admin_exec(ctrl, &c, buf, NVME_IDENTIFY_DATA_SIZE, NULL);
}

/*
 * The command set of namespace @nsid into @csi: NVM on a controller
 * enabled for the NVM command set only, or when the controller gives no
 * CSI descriptor.  0, or a negative errno when the controller did not
 * answer.
 */
static int lnvme_ns_read_csi(struct lnvme_ctrl *ctrl, u32 nsid, u8 *csi)
{
	struct nvme_ns_id_desc *d;
	unsigned int pos;
	void *buf;
	int ret;

	*csi = NVME_CSI_NVM;
	if (!lnvme_csi_enabled(ctrl))
		return 0;
	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = lnvme_identify(ctrl, NVME_ID_CNS_NS_DESC_LIST, nsid, buf);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"namespace %u: Identify Namespace Identification Descriptors failed%s",
				nsid, ret > 0 ? ", taken as NVM" : "");
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	for (pos = 0; pos + sizeof(*d) <= NVME_IDENTIFY_DATA_SIZE;
	     pos += sizeof(*d) + d->nidl) {
		d = buf + pos;
		if (!d->nidl)
			break;
		if (d->nidt != NVME_NIDT_CSI)
			continue;
		if (d->nidl == NVME_NIDT_CSI_LEN &&
		    pos + sizeof(*d) + NVME_NIDT_CSI_LEN <= NVME_IDENTIFY_DATA_SIZE)
			*csi = *(u8 *)(d + 1);
		break;
	}
out:
	kfree(buf);
	return ret;
}

/*
 * At namespace add, after its LBA format is known: its command set, and
 * for a zoned namespace its zone geometry (block/zoned.c).  A namespace
 * of a command set lnvme cannot serve as a block device is made hidden
 * (generic node only).  0, or a negative errno when the controller did
 * not answer (the namespace is then not added; the next scan retries).
 */
int lnvme_ns_csi_probe(struct lnvme_ns *ns, struct nvme_id_ns *id)
{
	struct lnvme_ctrl *ctrl = ns->ctrl;
	int ret;

	ret = lnvme_ns_read_csi(ctrl, ns->nsid, &ns->csi);
	if (ret || ns->csi == NVME_CSI_NVM || ns->hidden)
		return ret;
	if (ns->csi != NVME_CSI_ZNS) {
		dev_warn(ctrl->dev, "namespace %u: command set %u is not supported, no block device\n",
			 ns->nsid, ns->csi);
		ns->hidden = true;
		return 0;
	}
	/*
	 * Zone Append with metadata needs the reference tag remapped
	 * (PIREMAP) and an integrity payload the block layer does not give
	 * appends: not supported.
	 */
	if (ns->ms) {
		dev_warn(ctrl->dev, "namespace %u: zoned with %u bytes of metadata per block is not supported, no block device\n",
			 ns->nsid, ns->ms);
		ns->hidden = true;
		return 0;
	}
	ret = lnvme_zoned_probe(ns, id, &ns->zi);
	if (ret > 0) {
		ns->hidden = true;
		ret = 0;
	}
	return ret;
}

/*
 * At a rescan of namespace @ns (block/disk.c lnvme_ns_update()):
 *   -EAGAIN  its command set, format, size or zone geometry changed: the
 *            namespace is added anew;
 *   1        a namespace of another command set than NVM that is
 *            unchanged: nothing more to update (a zoned one has had its
 *            zones revalidated);
 *   0        an NVM namespace: block/disk.c updates it as ever.
 * A command that got no answer keeps the namespace as it is.
 */
int lnvme_ns_csi_update(struct lnvme_ns *ns, struct nvme_id_ns *id)
{
	struct lnvme_zone_info zi = { };
	u8 csi;
	int ret;

	ret = lnvme_ns_read_csi(ns->ctrl, ns->nsid, &csi);
	if (ret)
		return ns->csi == NVME_CSI_NVM ? 0 : 1;
	if (csi != ns->csi)
		return -EAGAIN;
	if (csi == NVME_CSI_NVM)
		return 0;
	if (csi != NVME_CSI_ZNS)
		return 1;
	ret = lnvme_zoned_probe(ns, id, &zi);
	if (ret < 0)
		return 1;
	/*
	 * Same command set and format (block/disk.c compared them): a
	 * namespace without a block device keeps its generic node as it is.
	 */
	if (ns->hidden)
		return 1;
	if (ret > 0)
		return -EAGAIN;
	if (memcmp(&zi, &ns->zi, sizeof(zi)) ||
	    (le64_to_cpu(id->nsze) << (zi.lba_shift - SECTOR_SHIFT)) !=
	    get_capacity(ns->disk))
		return -EAGAIN;
	lnvme_zoned_revalidate(ns, true);
	return 1;
}
