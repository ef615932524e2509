#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/bench/snap.sh FILE DISK: fio exec_prerun/exec_postrun hook of the
# bench guest.  Saves /proc/uptime, the cpu lines of /proc/stat and the
# block device's stat, so report.py can work out the busy CPU time (all
# CPUs, interrupts included) per completed I/O over the job.
exec cat /proc/uptime /proc/stat "/sys/block/$2/stat" >"$1"
