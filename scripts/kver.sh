#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the version of the newest installed Debian 6.12 amd64 kernel: the
# kernel the VM harness boots and the headers lnvme is built against.
v=$(ls /boot/vmlinuz-6.12*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)
[ -n "$v" ] || v=$(ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null |
	sed 's|/usr/src/linux-headers-||' | sort -V | tail -n1)
echo "${v:-6.12-missing}"
