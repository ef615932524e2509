#!/bin/bash
# fio data integrity through lnvme (backend=file): the verify matrix of
# tests/core/verify-matrix.sh (crc32c + verify_backlog + do_verify; bs 512
# to 1M and bsrange, seq/rand/mixed, QD1/QD32, 2 jobs on 2 CPUs, buffers at
# page offsets 4/512/520; 1/8 of the sizes on the debug kernel).  Also
# asserts that at least two I/O queues carried I/O (their MSI-X interrupt
# counts went up).
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 220 --smp 2 --nvme lnvme,backend=file,size=256M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk (VM_NVME_DISKS_0=$dev)"
[ "$(nproc)" -ge 2 ] || fail "want 2 vCPUs, have $(nproc)"
name=${dev#/dev/}
ctl=${name%n*}

# Interrupts per I/O queue (lnvme<C>q<N>, N >= 1), summed over CPUs.
irqs() { awk -v c="$ctl" '$NF ~ "^" c "q[1-9]" { s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break; print $NF, s }' /proc/interrupts | sort; }
before=$(irqs)
[ -n "$before" ] || fail "no ${ctl}qN I/O queue interrupts in /proc/interrupts"
echo "I/O queue interrupts before:"; echo "$before"

"$VM_PROJECT/tests/core/verify-matrix.sh" "$dev" "$(debug_scale 1 0.125)" || fail "verify matrix failed on $dev"

after=$(irqs)
echo "I/O queue interrupts after:"; echo "$after"
busy=$(join <(echo "$before") <(echo "$after") | awk '$3 > $2' | wc -l)
[ "$busy" -ge 2 ] || fail "only $busy I/O queue(s) carried I/O (want >= 2 with 2 jobs on 2 CPUs)"
check_dmesg
dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|signature' | tail -n 5
echo "PASS: verify matrix on $dev, $busy I/O queues used"
