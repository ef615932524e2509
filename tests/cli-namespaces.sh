#!/bin/bash
# A controller with 3 namespaces of 512, 4096 and 512-byte LBAs (and the same
# model on the in-kernel nvme driver as the reference): lnvme gives disks
# lnvme0n1..n3 and generic nodes lng0n1..n3 with the right nsids, logical
# block sizes and capacities; every disk passes a fio verify job, every
# generic node a write/read round trip with nvme-cli and a fio io_uring_cmd
# verify job.
# timeout: 420
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	spec=backend=file,namespaces=3,lbs=512:4096:512,size=128M:192M:64M
	exec "$VM" --timeout 400 --nvme "lnvme,$spec" --nvme "nvme,$spec" -- "$0" guest
fi

want_lbs=(512 4096 512)
want_size=($((128 << 20)) $((192 << 20)) $((64 << 20)))
cd /tmp || fail "cd /tmp"
for c in 0 1; do
	drv=VM_NVME_DRV_$c disks=VM_NVME_DISKS_$c ctrl=VM_NVME_CTRL_$c
	drv=${!drv} ctrl=${!ctrl}
	read -r -a d <<<"${!disks}"
	log "controller $c ($drv, $ctrl): disks ${d[*]}"
	[ ${#d[@]} = 3 ] || fail "$drv: ${#d[@]} disks, want 3: ${d[*]}"
	base=${ctrl#/dev/}
	if [ "$drv" = lnvme ]; then
		gen=lng${base#lnvme}n
	else
		gen=ng${base#nvme}n
	fi
	for i in 0 1 2; do
		ns=$((i + 1))
		# lnvme names disks by nsid; the in-kernel driver names them in
		# scan order, which its asynchronous scan does not fix.
		want=/dev/${base}n$ns
		[ "$drv" != lnvme ] || [ "${d[i]}" = "$want" ] ||
			fail "$drv: disk $i is ${d[i]}, want $want"
		sb=/sys/block/${d[i]#/dev/}
		# NVME_IOCTL_ID (lnvme has no nsid attribute in sysfs)
		id=$(nvme get-ns-id "${d[i]}") || fail "nvme get-ns-id ${d[i]}"
		[ "${id##*:}" = $ns ] || fail "${d[i]}: nsid is not $ns: $id"
		lbs=$(blockdev --getss "${d[i]}")
		size=$(blockdev --getsize64 "${d[i]}")
		echo "${d[i]}: lbs $lbs, $size bytes, queue/logical_block_size $(cat "$sb/queue/logical_block_size")"
		[ "$lbs" = "${want_lbs[i]}" ] || fail "${d[i]}: logical block size $lbs, want ${want_lbs[i]}"
		[ "$(cat "$sb/queue/logical_block_size")" = "${want_lbs[i]}" ] || fail "${d[i]}: queue/logical_block_size"
		[ "$size" = "${want_size[i]}" ] || fail "${d[i]}: size $size, want ${want_size[i]}"
		g=/dev/$gen$ns
		[ "$drv" = lnvme ] || g=/dev/ng${d[i]#/dev/nvme}
		[ -c "$g" ] || fail "$drv: no generic node $g"
		id=$(nvme get-ns-id "$g") || fail "nvme get-ns-id $g"
		[ "${id##*:}" = $ns ] || fail "$g: nsid is not $ns: $id"
		# The generic node talks to the same namespace: NVME_IOCTL_ID and id-ns.
		nvme id-ns "$g" -o json >"id-$drv-$ns.json" || fail "nvme id-ns $g"
		nvme id-ns "${d[i]}" -o json >"idb-$drv-$ns.json" || fail "nvme id-ns ${d[i]}"
		cmp -s "id-$drv-$ns.json" "idb-$drv-$ns.json" || fail "$g and ${d[i]} identify differently"
		flbas=$(jq '.flbas' "id-$drv-$ns.json")
		ds=$(jq ".lbafs[$((flbas & 15))].ds" "id-$drv-$ns.json")
		[ $((1 << ds)) = "${want_lbs[i]}" ] || fail "$g: id-ns in-use lbads $ds"
		[ $(($(jq .nsze "id-$drv-$ns.json") * want_lbs[i])) = "${want_size[i]}" ] ||
			fail "$g: nsze does not match the size"
	done
	[ ! -e "/dev/${base}n4" ] || fail "$drv: a 4th disk"
	[ ! -e "/dev/${gen}4" ] || fail "$drv: a 4th generic node"
	nvme list-ns "$ctrl" >listns || fail "nvme list-ns $ctrl"
	cat listns
	[ "$(grep -c ']:0x' listns)" = 3 ] || fail "$drv: list-ns does not show 3 namespaces"
	[ "$drv" = lnvme ] || continue

	log "fio verify on every lnvme disk, in parallel"
	args=()
	for i in 0 1 2; do
		args+=(--name="disk$((i + 1))" --filename="${d[i]}" --bs=$((4096 * (i + 1))) --size=48M)
	done
	fio --direct=1 --ioengine=libaio --iodepth=8 --rw=randwrite --verify=crc32c \
		--verify_fatal=1 --do_verify=1 --randrepeat=0 --output-format=terse "${args[@]}" \
		>fio.out 2>&1 || { cat fio.out; fail "fio verify on the lnvme disks"; }
	log "fio verify on every lnvme generic node (sync passthrough through nvme read/write)"
	for i in 0 1 2; do
		g=/dev/$gen$((i + 1)) lbs=${want_lbs[i]}
		head -c $((32 * lbs)) /dev/urandom >pat
		nvme write "$g" -s 100 -c 31 -z $((32 * lbs)) -d pat >/dev/null || fail "nvme write $g"
		nvme read "$g" -s 100 -c 31 -z $((32 * lbs)) -d rd >/dev/null || fail "nvme read $g"
		cmp pat rd || fail "$g: read back differs"
		dd if="${d[i]}" of=rdb bs="$lbs" skip=100 count=32 iflag=direct status=none || fail "dd ${d[i]}"
		cmp pat rdb || fail "${d[i]}: data written through $g differs"
		# the other namespaces did not get it
		for j in 0 1 2; do
			[ "$j" = "$i" ] && continue
			dd if="${d[j]}" of=rdo bs="${want_lbs[j]}" skip=100 count=1 iflag=direct status=none
			cmp -s <(head -c "${want_lbs[j]}" pat) rdo && fail "${d[j]}: got the data written to $g"
		done
		rm -f pat rd rdb rdo
	done
	log "fio verify on every lnvme generic node (io_uring_cmd)"
	args=()
	for i in 0 1 2; do
		args+=(--name="gen$((i + 1))" --filename="/dev/$gen$((i + 1))" --bs=$((4096 * (i + 1))) --size=32M)
	done
	fio --ioengine=io_uring_cmd --cmd_type=nvme --iodepth=8 --rw=randwrite --verify=crc32c \
		--verify_fatal=1 --do_verify=1 --randrepeat=0 --output-format=terse "${args[@]}" \
		>fio.out 2>&1 || { cat fio.out; fail "fio io_uring_cmd verify on the lnvme generic nodes"; }
done
check_dmesg
echo "PASS: 3 namespaces on lnvme"
