// SPDX-License-Identifier: GPL-2.0
/*
 * The controller character device /dev/lnvme<C>, its class, and its sysfs
 * attributes under /sys/class/lnvme/lnvme<C>/.
 *
 * The controller structure lives as long as its class device: open files
 * and namespaces hold references, so it outlives the PCI device.  Once
 * removal starts (ctrl->removing, set under teardown_rwsem), ioctls fail
 * with -ENODEV instead of touching released hardware.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include "../lnvme.h"

static dev_t lnvme_ctrl_base;
static dev_t lnvme_generic_base;

LNVME_CLASS_CONST struct class lnvme_class = {
	.name		= LNVME_NAME,
};

static int lnvme_ctrl_open(struct inode *inode, struct file *file)
{
	struct lnvme_ctrl *ctrl = container_of(inode->i_cdev, struct lnvme_ctrl,
					       cdev);

	get_device(&ctrl->cdev_dev);
	file->private_data = ctrl;
	return 0;
}

static int lnvme_ctrl_release_file(struct inode *inode, struct file *file)
{
	struct lnvme_ctrl *ctrl = file->private_data;

	put_device(&ctrl->cdev_dev);
	return 0;
}

static long lnvme_ctrl_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	return lnvme_ioctl(file->private_data, NULL, cmd,
			   (void __user *)arg, file->f_mode & FMODE_READ);
}

static const struct file_operations lnvme_ctrl_fops = {
	.owner		= THIS_MODULE,
	.open		= lnvme_ctrl_open,
	.release	= lnvme_ctrl_release_file,
	.unlocked_ioctl	= lnvme_ctrl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* sysfs: identity, state, queues and the fast paths in use. */
#define LNVME_ATTR_STR(name, expr)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct lnvme_ctrl *ctrl = dev_get_drvdata(dev);			\
									\
	return sysfs_emit(buf, "%s\n", (expr));				\
}									\
static DEVICE_ATTR_RO(name)

#define LNVME_ATTR_UINT(name, expr)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct lnvme_ctrl *ctrl = dev_get_drvdata(dev);			\
									\
	return sysfs_emit(buf, "%u\n", (unsigned int)(expr));		\
}									\
static DEVICE_ATTR_RO(name)

LNVME_ATTR_STR(model, ctrl->model);
LNVME_ATTR_STR(serial, ctrl->serial);
LNVME_ATTR_STR(firmware_rev, ctrl->firmware);
LNVME_ATTR_UINT(queue_count, ctrl->nr_io_queues);
LNVME_ATTR_UINT(default_queues, ctrl->nr_map_queues[HCTX_TYPE_DEFAULT]);
LNVME_ATTR_UINT(read_queues, ctrl->nr_map_queues[HCTX_TYPE_READ]);
LNVME_ATTR_UINT(poll_queues, ctrl->nr_map_queues[HCTX_TYPE_POLL]);
LNVME_ATTR_UINT(io_queue_depth, ctrl->io_depth);
LNVME_ATTR_UINT(admin_queue_depth, ctrl->queues[0].depth);
LNVME_ATTR_UINT(interrupt_vectors, ctrl->nr_vecs);
LNVME_ATTR_UINT(max_hw_kb, ctrl->max_hw_sectors / 2);
LNVME_ATTR_UINT(sgl_supported, ctrl->sgl_ok);
LNVME_ATTR_UINT(sgl_threshold, ctrl->sgl_ok ? lnvme_sgl_threshold : 0);
LNVME_ATTR_UINT(shadow_doorbells, !!ctrl->dbbuf_dbs);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct lnvme_ctrl *ctrl = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", lnvme_ctrl_state_name(ctrl));
}
static DEVICE_ATTR_RO(state);

static ssize_t reset_controller_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	int ret = lnvme_reset_sync(dev_get_drvdata(dev));

	return ret ? ret : count;
}
static DEVICE_ATTR_WO(reset_controller);

static ssize_t rescan_controller_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	int ret = lnvme_ns_scan(dev_get_drvdata(dev));

	return ret ? ret : count;
}
static DEVICE_ATTR_WO(rescan_controller);

static struct attribute *lnvme_ctrl_attrs[] = {
	&dev_attr_model.attr,
	&dev_attr_serial.attr,
	&dev_attr_firmware_rev.attr,
	&dev_attr_state.attr,
	&dev_attr_queue_count.attr,
	&dev_attr_default_queues.attr,
	&dev_attr_read_queues.attr,
	&dev_attr_poll_queues.attr,
	&dev_attr_io_queue_depth.attr,
	&dev_attr_admin_queue_depth.attr,
	&dev_attr_interrupt_vectors.attr,
	&dev_attr_max_hw_kb.attr,
	&dev_attr_sgl_supported.attr,
	&dev_attr_sgl_threshold.attr,
	&dev_attr_shadow_doorbells.attr,
	&dev_attr_reset_controller.attr,
	&dev_attr_rescan_controller.attr,
	NULL,
};
ATTRIBUTE_GROUPS(lnvme_ctrl);

static void lnvme_ctrl_release(struct device *dev)
{
	struct lnvme_ctrl *ctrl = container_of(dev, struct lnvme_ctrl, cdev_dev);

	lnvme_instance_free(ctrl->instance);
	kfree(ctrl);
}

/* Set up the class device; from here on put_device() frees the ctrl. */
void lnvme_cdev_init(struct lnvme_ctrl *ctrl)
{
	struct device *dev = &ctrl->cdev_dev;

	device_initialize(dev);
	dev->class = &lnvme_class;
	dev->parent = ctrl->dev;
	dev->devt = MKDEV(MAJOR(lnvme_ctrl_base), ctrl->instance);
	dev->groups = lnvme_ctrl_groups;
	dev->release = lnvme_ctrl_release;
	dev_set_drvdata(dev, ctrl);
	dev_set_name(dev, LNVME_NAME "%d", ctrl->instance);
	cdev_init(&ctrl->cdev, &lnvme_ctrl_fops);
	ctrl->cdev.owner = THIS_MODULE;
}

int lnvme_cdev_add(struct lnvme_ctrl *ctrl)
{
	return cdev_device_add(&ctrl->cdev, &ctrl->cdev_dev);
}

void lnvme_cdev_del(struct lnvme_ctrl *ctrl)
{
	cdev_device_del(&ctrl->cdev, &ctrl->cdev_dev);
}

dev_t lnvme_generic_devt(unsigned int minor)
{
	return MKDEV(MAJOR(lnvme_generic_base), minor);
}

int lnvme_cdev_register(void)
{
	int ret;

	ret = alloc_chrdev_region(&lnvme_ctrl_base, 0, LNVME_MAX_MINORS,
				  LNVME_NAME);
	if (ret)
		return ret;
	ret = alloc_chrdev_region(&lnvme_generic_base, 0, LNVME_MAX_MINORS,
				  "lng");
	if (ret)
		goto unregister_ctrl;
	ret = class_register(&lnvme_class);
	if (ret)
		goto unregister_generic;
	return 0;

unregister_generic:
	unregister_chrdev_region(lnvme_generic_base, LNVME_MAX_MINORS);
unregister_ctrl:
	unregister_chrdev_region(lnvme_ctrl_base, LNVME_MAX_MINORS);
	return ret;
}

void lnvme_cdev_unregister(void)
{
	class_unregister(&lnvme_class);
	unregister_chrdev_region(lnvme_generic_base, LNVME_MAX_MINORS);
	unregister_chrdev_region(lnvme_ctrl_base, LNVME_MAX_MINORS);
}
