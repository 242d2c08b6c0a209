# Group sock: the socket layer (per-cgroup TCP and UDP bytes). What
# `xdpgate cgroups attach` picks on this kernel and why (its own lines),
# then test_xdpgate's cgroups test: every backend the kernel lets load
# (fentry, kprobe, tracepoint, cgroup_skb) against the calls and bytes
# its processes counted themselves, on loopback and across a veth pair
# between namespaces; the backends the kernel refuses SKIP with its reason.
. "$KMX_ROOT/lib.sh"

if run xdpgate cgroups attach; then
	picked=$(sed -n 's/^xdpgate: cgroups: attached backend \([^,]*\),.*/\1/p' "$KMX_TMP/last")
	refused=$(sed -n 's/^xdpgate: cgroups: better backend \(.*\)/\1/p' "$KMX_TMP/last" |
		  tr '\n' ';' | sed 's/;$//; s/;/; /g')
	kmx_backend sock/auto "${picked:-?}${refused:+; $refused}"
	if [ -z "$picked" ]; then
		kmx_fail attach_auto "no 'attached backend' line: $(head -n 1 "$KMX_TMP/last")"
	elif run xdpgate cgroups detach; then
		kmx_pass attach_auto "picked $picked, detached"
	else
		kmx_fail attach_auto "$WHY"
	fi
else
	kmx_fail attach_auto "$WHY"
fi

kmx_test_xdpgate cgroups
