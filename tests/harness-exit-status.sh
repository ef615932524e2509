#!/bin/bash
# tests/vm/run returns the guest command's exit status; arguments with
# spaces and shell metacharacters reach the guest unchanged; output arrives
# on stdout without \r; the environment is set.
# timeout: 120
. "$TOP/tests/lib/common.sh"
r=$(mktemp -d); trap 'rm -rf "$r"' EXIT

log "exit 3 -> 3"
expect_rc 3 vm --results "$r" -- sh -c 'exit 3'
[ -s "$r/dmesg.txt" ] || fail "no dmesg.txt in the results dir"
[ -s "$r/console.log" ] || fail "no console.log in the results dir"

log "true -> 0, arguments and output"
out=$(vm --results "$r" -- bash -c 'printf "<%s>" "$@"; echo; echo "$IN_VM $VM_PROJECT $VM_RESULTS $HOME"; pwd' \
	x 'a b' '$(false)' "it's" '*' '') || fail "true-ish command failed"
printf '%s\n' "$out"
want="<a b><\$(false)><it's><*><>
1 $TOP $r /tmp
$TOP"
[ "$out" = "$want" ] || fail "unexpected output: $(printf %q "$out")"
