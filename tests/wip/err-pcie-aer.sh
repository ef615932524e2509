#!/bin/bash
# PCIe AER errors injected by QEMU at the controller's pcie-root-port (QMP
# human-monitor-command pcie_aer_inject_error rp0 ...) while fio verify runs
# at QD32: a correctable error (the aer driver only logs it), two non-fatal
# uncorrectable ones (the driver checks the controller and keeps running)
# and two fatal ones (the driver stops the controller, the PCI core resets
# the link, the driver restarts the controller).  Every fio run must exit 0
# with no verify mismatch, the controller must be live at the end, each
# error must be logged as what it was, and the kernel log must be clean.
# timeout: 700
. "$(dirname "$0")/../lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
# severity:error, in injection order (the port's default severities).
ERRORS="correctable:BAD_TLP nonfatal:POISON_TLP nonfatal:COMP_ABORT fatal:MALF_TLP fatal:DLP"
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-aer.XXXXXX")
	trap 'kill $vmpid 2>/dev/null; [ -e "$r/passed" ] || { rm -rf "$TOP/results/err-aer.failed"; cp -r "$r" "$TOP/results/err-aer.failed"; }; rm -rf "$r"' EXIT
	"$VM" --timeout 660 --results "$r" --qmp "$r/qmp.sock" \
		--nvme lnvme,backend=file,size=256M -- "$0" guest &
	vmpid=$!
	wait_file "$r/io-started" 500 || { wait $vmpid; fail "guest never started I/O"; }
	n=0
	for e in $ERRORS; do
		n=$((n + 1))
		wait_file "$r/ready-$n" 200 || break
		log "host: inject ${e%%:*} error: pcie_aer_inject_error rp0 ${e#*:}"
		qmp_ok "$r/qmp.sock" "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"pcie_aer_inject_error rp0 ${e#*:}\"}}"
		touch "$r/injected-$n"
	done
	wait $vmpid
	rc=$?
	vmpid=
	[ $rc = 0 ] || fail "VM run failed ($rc), files in results/err-aer.failed"
	touch "$r/passed"
	echo "PASS"
	exit 0
fi

dev=${VM_NVME_DISKS_0:-}
ctl=${VM_NVME_CTRL_0:-}
bdf=${VM_NVME_PCI_0:-}
{ [ -b "$dev" ] && [ -c "$ctl" ]; } || fail "no lnvme disk/controller ($dev $ctl)"
port=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$bdf")")")
echo "controller $bdf behind root port $port"
ls /sys/bus/pci_express/devices/ 2>/dev/null | tr '\n' ' '; echo
aer=
for s in /sys/bus/pci_express/devices/"$port":pcie*; do
	[ "$(basename "$(readlink -f "$s/driver")")" = aer ] && aer=${s##*/}
done
[ -n "$aer" ] || fail "no aer service bound to root port $port ($(dmesg | grep -i -m3 -E '_OSC|AER'))"
echo "aer driver bound to $aer"
out=/tmp/aer
mkdir -p $out
{ fio_verify_global "$dev"; cat <<JOB; } >$out/job.fio
[irq0]
ioengine=libaio
cpus_allowed=0
offset=0
size=8m
[irq1]
ioengine=libaio
cpus_allowed=1
offset=32m
size=8m
JOB
fio_loop $out
loop=$!
wait_file $out/fio-1.json 60 || sleep 2
touch "$VM_RESULTS/io-started"
n=0
for e in $ERRORS; do
	n=$((n + 1))
	sleep 3
	wait_io "$dev" 100 60 || fail "no I/O before injection $n"
	dmesg_mark "inject $n: $e"
	t0=$(ms_now)
	touch "$VM_RESULTS/ready-$n"
	wait_file "$VM_RESULTS/injected-$n" 120 || fail "host did not inject $n"
	# Recovery is over when I/O completes again and the controller is live.
	wait_io "$dev" 100 120 || fail "no I/O completed within 120 s after injection $n ($e)"
	st=$(lnvme_state 0)
	echo "injection $n ($e): I/O again after $(($(ms_now) - t0)) ms, state $st"
	[ "$st" = live ] || { sleep 5; st=$(lnvme_state 0); [ "$st" = live ] || fail "state $st after $e"; }
done
sleep 3
touch $out/stop
timeout 120 bash -c "while kill -0 $loop 2>/dev/null; do sleep 1; done" || fail "fio loop did not end within 120 s"
wait $loop
echo "fio runs (run rc):"
cat $out/runs
for j in "$out"/fio-*.json; do
	jq -r '.jobs[] | "\(.jobname): err \(.error) read \(.read.io_bytes) write \(.write.io_bytes)"' "$j" 2>/dev/null | sed "s|^|${j##*/}: |"
done
dmesg | grep -E 'lnvme-test|AER|aer|pcieport|lnvme|nvme' | grep -vE 'taints kernel|signature' | tail -n 60
bad=$(awk '$2 != 0' $out/runs)
[ -z "$bad" ] || { grep -hE 'verify|err|bad' $out/fio-*.log | head -20; fail "fio runs failed: $bad"; }
grep -hqiE 'verify: bad|mismatch' $out/fio-*.log && fail "verify mismatch"
nf=$(dmesg | grep -c 'PCIe non-fatal error reported')
ff=$(dmesg | grep -c 'PCIe fatal error (channel frozen)')
rd=$(dmesg | grep -c 'PCIe error recovery done: controller live')
echo "driver saw: $nf non-fatal, $ff fatal; $rd recoveries to live"
[ "$nf" -ge 2 ] || fail "the driver was told of $nf non-fatal errors, 2 injected"
[ "$ff" -ge 2 ] || fail "the driver was told of $ff fatal errors, 2 injected"
st=$(lnvme_state 0)
[ "$st" = live ] || fail "controller state $st at the end"
check_dmesg
echo "PASS: 5 AER injections (1 correctable, 2 non-fatal, 2 fatal) under QD32 fio verify, $(wc -l <$out/runs) fio runs clean"
