// SPDX-License-Identifier: GPL-2.0
/* Read-only globals by name, on an object or a running program (see
 * prog_config.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "prog_config.h"
#include "xdpgate_limits.h"

/* Offset and size of var in the .rodata section of btf. */
static int rodata_var(const struct btf *btf, const char *var, __u32 *off,
		      __u32 *size)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	int id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);

	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, v->name_off), var)) {
			*off = vs->offset;
			*size = vs->size;
			return 0;
		}
	}
	return -ENOENT;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int xg_obj_set_rodata(struct bpf_object *obj, const char *var,
		      const void *val, size_t size)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	const void *init;
	size_t len;
	__u32 off, vsize;
	void *buf;
	int err;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__is_internal(map) && ends_with(bpf_map__name(map), ".rodata"))
			break;
	if (!btf || !map)
		return -ENOENT;
	err = rodata_var(btf, var, &off, &vsize);
	if (err)
		return err;
	init = bpf_map__initial_value(map, &len);
	if (!init || vsize != size || off + size > len)
		return -EINVAL;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, init, len);
	memcpy((char *)buf + off, val, size);
	err = bpf_map__set_initial_value(map, buf, len);
	free(buf);
	return err;
}

/* fd of the program's .rodata map and its BTF id, or -ENOENT. */
static int rodata_map(__u32 prog_id, __u32 *btf_id, __u32 *value_size)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64];
	int pfd = bpf_prog_get_fd_by_id(prog_id), found = -ENOENT;

	if (pfd < 0)
		return -errno;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(pfd, &info, &len)) {
		found = -errno;
		goto out;
	}
	for (__u32 i = 0; i < info.nr_map_ids && found < 0; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) &&
		    mi.type == BPF_MAP_TYPE_ARRAY && mi.btf_id &&
		    ends_with(mi.name, ".rodata")) {
			*btf_id = mi.btf_id;
			*value_size = mi.value_size;
			found = fd;
			continue;
		}
		close(fd);
	}
out:
	close(pfd);
	return found;
}

int xg_prog_rodata(__u32 prog_id, const char *var, void *out, size_t size)
{
	__u32 btf_id = 0, vsize = 0, off, sz, zero = 0;
	struct btf *btf;
	unsigned char *buf;
	int fd = rodata_map(prog_id, &btf_id, &vsize), err;

	if (fd < 0)
		return fd;
	btf = btf__load_from_kernel_by_id(btf_id);
	err = btf ? rodata_var(btf, var, &off, &sz) : -errno;
	if (!err && (sz != size || off + size > vsize))
		err = -EINVAL;
	buf = err ? NULL : malloc(vsize);
	if (!err && !buf)
		err = -ENOMEM;
	if (!err && bpf_map_lookup_elem(fd, &zero, buf))
		err = -errno;
	if (!err)
		memcpy(out, buf + off, size);
	free(buf);
	btf__free(btf);
	close(fd);
	return err;
}

int xg_prog_config(__u32 prog_id, struct xg_prog_cfg *cfg)
{
	__u8 exact = 1;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	err = xg_prog_rodata(prog_id, XG_CFG_EXACT, &exact, sizeof(exact));
	if (err == -ENOENT) {
		cfg->exact = true;
		return 0;
	}
	if (!err)
		err = xg_prog_rodata(prog_id, XG_CFG_ADMIT_PKTS, &cfg->admit_pkts,
				     sizeof(cfg->admit_pkts));
	if (!err)
		err = xg_prog_rodata(prog_id, XG_CFG_ADMIT_BUDGET,
				     &cfg->admit_budget, sizeof(cfg->admit_budget));
	if (!err)
		err = xg_prog_rodata(prog_id, XG_CFG_SKETCH_SHIFT,
				     &cfg->sketch_shift, sizeof(cfg->sketch_shift));
	cfg->exact = exact;
	cfg->has_admission = !err;
	return err;
}

__u32 xg_admit_budget(__u32 max_entries, int ncpu)
{
	__u64 b = (__u64)max_entries / XG_ADMIT_TURNOVER_S / (ncpu > 0 ? ncpu : 1);

	return b ? (__u32)b : 1;
}
