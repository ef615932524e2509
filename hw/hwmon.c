// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware monitoring: the controller's composite temperature and its
 * thresholds, as lm-sensors expects them (/sys/class/hwmon/hwmonN/, name
 * "lnvme"):
 *   temp1_input  composite temperature, from the SMART / Health log (02h)
 *   temp1_max    over-temperature threshold, Get/Set Features Temperature
 *                Threshold (04h), THSEL 0; writable
 *   temp1_min    under-temperature threshold, THSEL 1; writable
 *   temp1_crit   Critical Composite Temperature Threshold (Identify CCTEMP),
 *                when the controller reports one
 *   temp1_alarm  the SMART critical warning's temperature bit
 * in millidegrees Celsius.  Every read or write is one admin command; a
 * controller that is not live answers -EBUSY (resetting, held for a PCI
 * reset or sleep) or -ENODEV (dead, being removed), so readers never wait
 * for a reset or touch a controller being torn down.  The hwmon device is
 * registered once the controller is live at probe and unregistered first
 * thing at removal, which waits for reads in progress.
 */
#include <linux/hwmon.h>
#include <linux/units.h>
#include "../lnvme.h"

static int lnvme_hwmon_live(struct lnvme_ctrl *ctrl)
{
	switch (lnvme_ctrl_state(ctrl)) {
	case LNVME_STATE_LIVE:
		return 0;
	case LNVME_STATE_DELETING:
	case LNVME_STATE_DEAD:
		return -ENODEV;
	default:
		return -EBUSY;
	}
}

/* An admin command's outcome as an errno for sysfs. */
static int lnvme_hwmon_errno(struct lnvme_ctrl *ctrl, int ret)
{
	if (ret > 0)
		return -EIO;
	if (ret == -EINTR)	/* cancelled by a reset that started meanwhile */
		return -EBUSY;
	return ret;
}

static int lnvme_hwmon_smart(struct lnvme_ctrl *ctrl, long *val, bool alarm)
{
	struct nvme_smart_log *log;
	int ret;

	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	ret = lnvme_get_log(ctrl, NVME_LOG_SMART, log, sizeof(*log));
	if (!ret) {
		lnvme_smart_note(ctrl, log);
		if (alarm)
			*val = !!(log->critical_warning &
				  NVME_SMART_CRIT_TEMPERATURE);
		else
			*val = kelvin_to_millicelsius(lnvme_smart_temp(log));
	}
	kfree(log);
	return lnvme_hwmon_errno(ctrl, ret);
}

static int lnvme_hwmon_thresh(struct lnvme_ctrl *ctrl, bool under, bool set,
			      long *val)
{
	u32 dw11 = 0;	/* TMPSEL 0: the composite temperature */
	struct nvme_command c = { };
	u32 result = 0;
	int ret;

	if (under)
		dw11 |= NVME_TEMP_THRESH_TYPE_UNDER;
	if (set)
		dw11 |= clamp_val(millicelsius_to_kelvin(*val), 0,
				  NVME_TEMP_THRESH_MASK);
	c.features.opcode = set ? nvme_admin_set_features :
				  nvme_admin_get_features;
	c.features.fid = cpu_to_le32(NVME_FEAT_TEMP_THRESH);
	c.features.dword11 = cpu_to_le32(dw11);
	ret = lnvme_admin_exec(ctrl, &c, NULL, 0, &result);
	if (!ret && !set)
		*val = kelvin_to_millicelsius(result & NVME_TEMP_THRESH_MASK);
	return lnvme_hwmon_errno(ctrl, ret);
}

static umode_t lnvme_hwmon_is_visible(const void *data,
				      enum hwmon_sensor_types type, u32 attr,
				      int channel)
{
	const struct lnvme_ctrl *ctrl = data;

	switch (attr) {
	case hwmon_temp_input:
	case hwmon_temp_alarm:
		return 0444;
	case hwmon_temp_crit:
		return ctrl->cctemp ? 0444 : 0;
	case hwmon_temp_max:
	case hwmon_temp_min:
		return 0644;
	default:
		return 0;
	}
}

static int lnvme_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			    u32 attr, int channel, long *val)
{
	struct lnvme_ctrl *ctrl = dev_get_drvdata(dev);
	int ret;

	if (type != hwmon_temp)
		return -EOPNOTSUPP;
	if (attr == hwmon_temp_crit) {
		*val = kelvin_to_millicelsius(ctrl->cctemp);
		return 0;
	}
	ret = lnvme_hwmon_live(ctrl);
	if (ret)
		return ret;
	switch (attr) {
	case hwmon_temp_input:
		return lnvme_hwmon_smart(ctrl, val, false);
	case hwmon_temp_alarm:
		return lnvme_hwmon_smart(ctrl, val, true);
	case hwmon_temp_max:
		return lnvme_hwmon_thresh(ctrl, false, false, val);
	case hwmon_temp_min:
		return lnvme_hwmon_thresh(ctrl, true, false, val);
	default:
		return -EOPNOTSUPP;
	}
}

static int lnvme_hwmon_write(struct device *dev, enum hwmon_sensor_types type,
			     u32 attr, int channel, long val)
{
	struct lnvme_ctrl *ctrl = dev_get_drvdata(dev);
	int ret;

	if (type != hwmon_temp ||
	    (attr != hwmon_temp_max && attr != hwmon_temp_min))
		return -EOPNOTSUPP;
	ret = lnvme_hwmon_live(ctrl);
	if (ret)
		return ret;
	return lnvme_hwmon_thresh(ctrl, attr == hwmon_temp_min, true, &val);
}

static const struct hwmon_channel_info *const lnvme_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_MAX | HWMON_T_MIN |
			   HWMON_T_CRIT | HWMON_T_ALARM),
	NULL
};

static const struct hwmon_ops lnvme_hwmon_ops = {
	.is_visible	= lnvme_hwmon_is_visible,
	.read		= lnvme_hwmon_read,
	.write		= lnvme_hwmon_write,
};

static const struct hwmon_chip_info lnvme_hwmon_chip = {
	.ops	= &lnvme_hwmon_ops,
	.info	= lnvme_hwmon_info,
};

/*
 * At probe, once the controller is live.  A failure only costs the
 * sensors: it is logged and the controller carries on without them.
 */
void lnvme_hwmon_register(struct lnvme_ctrl *ctrl)
{
	struct nvme_id_ctrl *id;
	struct device *hwmon;
	int ret;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return;
	ret = lnvme_identify(ctrl, NVME_ID_CNS_CTRL, 0, id);
	if (!ret)
		ctrl->cctemp = le16_to_cpu(id->cctemp);
	kfree(id);
	if (ret) {
		lnvme_admin_log(ctrl, KERN_WARNING, ret,
				"no temperature sensors: Identify Controller failed");
		return;
	}
	hwmon = hwmon_device_register_with_info(ctrl->dev, LNVME_NAME, ctrl,
						&lnvme_hwmon_chip, NULL);
	if (IS_ERR(hwmon)) {
		dev_warn(ctrl->dev, "no temperature sensors: %pe\n", hwmon);
		return;
	}
	ctrl->hwmon = hwmon;
}

/* At removal, before the controller is torn down: waits for readers. */
void lnvme_hwmon_unregister(struct lnvme_ctrl *ctrl)
{
	if (!ctrl->hwmon)
		return;
	hwmon_device_unregister(ctrl->hwmon);
	ctrl->hwmon = NULL;
}
