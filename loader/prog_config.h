/* SPDX-License-Identifier: GPL-2.0 */
/* A program's configuration lives in its read-only globals (cfg_*, set
 * between open and load): what the verifier sees as constants, so a
 * switched-off stage costs nothing. These set them on an object by name
 * (the embedded skeleton and an --obj file alike) and read them back from
 * a running program (--replace keeps what runs; status shows it), through
 * the object's BTF.
 */
#ifndef XG_PROG_CONFIG_H
#define XG_PROG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct bpf_object;

/* Set the read-only global `var` (size bytes) before load. 0, -ENOENT when
 * the object has no such variable, -EINVAL when its size differs.
 */
int xg_obj_set_rodata(struct bpf_object *obj, const char *var,
		      const void *val, size_t size);

/* Read the read-only global `var` (size bytes) of the loaded program
 * prog_id. 0, -ENOENT when it has no such variable (an older build).
 */
int xg_prog_rodata(__u32 prog_id, const char *var, void *out, size_t size);

/* What xdpgate's own settings are on a running program. */
struct xg_prog_cfg {
	bool exact;            /* admission off (attach --exact) */
	bool has_admission;    /* false: a build before the admission stage */
	__u32 admit_pkts;      /* packets that prove a source */
	__u32 admit_budget;    /* unproven entries per CPU per epoch */
	__u32 sketch_shift;    /* epoch: 2^shift ns */
};

/* Fill cfg from the running program; a program without the admission
 * stage reads as exact. 0 or a negative errno.
 */
int xg_prog_config(__u32 prog_id, struct xg_prog_cfg *cfg);

/* The per-CPU budget of unproven entries for a source map of max_entries:
 * the map's capacity over XG_ADMIT_TURNOVER_S epochs, split over the CPUs,
 * at least 1.
 */
__u32 xg_admit_budget(__u32 max_entries, int ncpu);

#define XG_CFG_EXACT "cfg_exact"
#define XG_CFG_ADMIT_PKTS "cfg_admit_pkts"
#define XG_CFG_ADMIT_BUDGET "cfg_admit_budget"
#define XG_CFG_SKETCH_SHIFT "cfg_sketch_shift"

#endif
