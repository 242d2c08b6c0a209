// SPDX-License-Identifier: GPL-2.0
/* Map memory estimates and the limit attach checks them against. */
#include <stdio.h>
#include <sys/sysinfo.h>

#include <linux/bpf.h>

#include "mem_estimate.h"

/* struct htab_elem (hash and LRU links, hash, pointer to the per-CPU
 * value) before the key: about 48 bytes on 64-bit kernels.
 */
#define HTAB_ELEM_HEADER 48

static __u64 round8(__u64 v)
{
	return (v + 7) & ~7ULL;
}

__u64 xg_map_mem_bytes(__u32 type, __u32 key_size, __u32 value_size,
		       __u32 max_entries, int ncpu)
{
	__u64 n = max_entries, v = round8(value_size), k = round8(key_size);

	if (ncpu < 1)
		ncpu = 1;
	switch (type) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return n * (v * ncpu + 8);
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return n * (v * ncpu + HTAB_ELEM_HEADER + k + 8);
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		return n * (v + HTAB_ELEM_HEADER + k);
	default:
		return n * v;
	}
}

__u64 xg_mem_limit(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return 0;
	return (__u64)si.totalram * si.mem_unit / XG_MEM_LIMIT_DIVISOR;
}

const char *xg_fmt_size(__u64 bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double d = (double)bytes / 1024;
	int i = 0;

	while (d >= 1024 && i < 3) {
		d /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", d, unit[i]);
	return buf;
}
