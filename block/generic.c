// SPDX-License-Identifier: GPL-2.0
/*
 * The generic namespace character device /dev/lng<C>n<N>: the namespace
 * ioctls without the block layer's file semantics.  It holds a reference
 * on the namespace's disk, so an open node keeps the namespace alive.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include "../lnvme.h"

static DEFINE_IDA(lnvme_generic_ida);

static int lnvme_generic_open(struct inode *inode, struct file *file)
{
	struct lnvme_ns *ns = container_of(inode->i_cdev, struct lnvme_ns, cdev);

	get_device(&ns->cdev_dev);
	file->private_data = ns;
	return 0;
}

static int lnvme_generic_release_file(struct inode *inode, struct file *file)
{
	struct lnvme_ns *ns = file->private_data;

	put_device(&ns->cdev_dev);
	return 0;
}

static long lnvme_generic_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct lnvme_ns *ns = file->private_data;

	return lnvme_ioctl(ns->ctrl, ns, cmd, (void __user *)arg,
			   file->f_mode & FMODE_READ);
}

static const struct file_operations lnvme_generic_fops = {
	.owner		= THIS_MODULE,
	.open		= lnvme_generic_open,
	.release	= lnvme_generic_release_file,
	.unlocked_ioctl	= lnvme_generic_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.uring_cmd	= lnvme_uring_cmd,
	.uring_cmd_iopoll = lnvme_uring_cmd_iopoll,
};

static void lnvme_generic_release(struct device *dev)
{
	struct lnvme_ns *ns = container_of(dev, struct lnvme_ns, cdev_dev);

	ida_free(&lnvme_generic_ida, MINOR(dev->devt));
	put_disk(ns->disk);
}

int lnvme_generic_add(struct lnvme_ns *ns)
{
	struct device *dev = &ns->cdev_dev;
	int minor, ret;

	minor = ida_alloc_max(&lnvme_generic_ida, LNVME_MAX_MINORS - 1,
			      GFP_KERNEL);
	if (minor < 0)
		return minor;
	device_initialize(dev);
	dev->class = &lnvme_class;
	dev->parent = &ns->ctrl->cdev_dev;
	dev->devt = lnvme_generic_devt(minor);
	dev->release = lnvme_generic_release;
	dev_set_name(dev, "lng%dn%u", ns->ctrl->instance, ns->nsid);
	cdev_init(&ns->cdev, &lnvme_generic_fops);
	ns->cdev.owner = THIS_MODULE;
	/* Dropped by lnvme_generic_release(). */
	get_device(disk_to_dev(ns->disk));

	ret = cdev_device_add(&ns->cdev, dev);
	if (ret) {
		put_device(dev);
		return ret;
	}
	ns->generic_added = true;
	return 0;
}

void lnvme_generic_del(struct lnvme_ns *ns)
{
	if (!ns->generic_added)
		return;
	ns->generic_added = false;
	cdev_device_del(&ns->cdev, &ns->cdev_dev);
	put_device(&ns->cdev_dev);
}
