/* SPDX-License-Identifier: GPL-2.0 */
/* How much kernel memory new maps will take, said before they are made.
 * Per-CPU maps cost entries x value size x possible CPUs: --max-sources
 * 16777216 on two CPUs is gigabytes and tens of seconds of allocation with
 * the global lock held, so attach refuses above a limit unless --force.
 */
#ifndef XG_MEM_ESTIMATE_H
#define XG_MEM_ESTIMATE_H

#include <stddef.h>
#include <linux/types.h>

/* The limit is this fraction of the machine's memory (MemTotal / 8). */
#define XG_MEM_LIMIT_DIVISOR 8

/* Approximate bytes of one map: values (per CPU for per-CPU types, each
 * rounded up to 8 bytes as the kernel stores them) plus a per-entry
 * element header for hash maps. A lower bound: allocator slack is left out.
 */
__u64 xg_map_mem_bytes(__u32 type, __u32 key_size, __u32 value_size,
		       __u32 max_entries, int ncpu);

/* MemTotal / XG_MEM_LIMIT_DIVISOR; 0 when it cannot be read (no limit). */
__u64 xg_mem_limit(void);

/* "12.3 MiB", "4.1 GiB". */
const char *xg_fmt_size(__u64 bytes, char *buf, size_t len);

#endif
