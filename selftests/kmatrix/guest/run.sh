#!/bin/sh
# The kernel matrix's group runner, the same in a qemu guest (called by
# /init) and on a host whose kernel image cannot be booted (called inside
# private network and mount namespaces). It reads $KMX_ROOT/groups.list,
# written by the host when it packed the tests:
#
#   <group> run <script>        run it
#   <group> skip <reason...>    report "KMX SKIP <group>/- <reason>"
#
# and brackets each group with KMX GROUP lines, so the host can tell a
# group that stopped half-way (crash, hang) from one that finished.
# Environment: KMX_ROOT; KMX_QUICK (non-empty: the quick subset);
# KMX_GROUPS (comma-separated: only these groups; empty: all);
# KMX_ICOUNT (non-empty: the clock counts instructions).
: "${KMX_ROOT:?}"
export KMX_ROOT KMX_QUICK KMX_ICOUNT PATH="$KMX_ROOT/bin:$PATH"

while read -r group how rest; do
	case $group in ""|"#"*) continue ;; esac
	case ",${KMX_GROUPS:-$group}," in *",$group,"*) ;; *) continue ;; esac
	if [ "$how" = skip ]; then
		echo "KMX SKIP $group/- $rest"
		continue
	fi
	echo "KMX GROUP $group start"
	KMX_GROUP=$group KMX_TMP=/tmp/kmx-$group sh "$KMX_ROOT/groups/$rest"
	echo "KMX GROUP $group done $?"
done <"$KMX_ROOT/groups.list"
