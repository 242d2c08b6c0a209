// SPDX-License-Identifier: GPL-2.0
/* Reading the admission stage's per-CPU state and sketch (sketch_read.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <bpf/bpf.h>

#include "percpu_rows.h"
#include "sketch_read.h"
#include "util.h"

static int check_array(int fd, __u32 value_size, __u32 entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info.value_size != value_size || info.max_entries != entries)
		return -EPROTO;
	return 0;
}

int xg_read_admission(int cpu_fd, struct xg_admission *out)
{
	int ncpu = xg_nr_cpus(), err;
	size_t stride = XG_PERCPU_STRIDE(sizeof(struct xg_cpu));
	unsigned char *buf;
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	err = check_array(cpu_fd, sizeof(struct xg_cpu), 1);
	if (err)
		return err;
	buf = malloc(stride * ncpu);
	if (!buf)
		return -ENOMEM;
	err = bpf_map_lookup_elem(cpu_fd, &zero, buf) ? -errno : 0;
	for (int c = 0; !err && c < ncpu; c++) {
		const struct xg_cpu *s = (const void *)(buf + c * stride);

		out->held[0].packets += s->held_v4.packets;
		out->held[0].bytes += s->held_v4.bytes;
		out->held[1].packets += s->held_v6.packets;
		out->held[1].bytes += s->held_v6.bytes;
		out->admitted += s->admitted;
		out->budgeted += s->budgeted;
		if (s->shift)
			out->shift = s->shift;
	}
	free(buf);
	return err;
}

/* The data plane's clock: CLOCK_MONOTONIC_COARSE (bpf_ktime_get_coarse_ns). */
static __u64 coarse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

int xg_read_sketch(int sketch_fd, __u32 shift, struct xg_sketch_view *v)
{
	size_t stride = sizeof(struct xg_sketch_block);
	int ncpu = xg_nr_cpus(), err;
	unsigned char *buf;
	__u64 ep;

	memset(v, 0, sizeof(*v));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	err = check_array(sketch_fd, sizeof(struct xg_sketch_block),
			  XG_SKETCH_BLOCKS);
	if (err || !shift)
		return err;
	ep = coarse_now() >> (shift & 63);
	buf = malloc(stride * ncpu);
	if (!buf)
		return -ENOMEM;
	{
		__u32 key = XG_SKETCH_CM;

		if (bpf_map_lookup_elem(sketch_fd, &key, buf))
			err = -errno;
	}
	for (int c = 0; !err && c < ncpu; c++) {
		const struct xg_sketch_block *b = (const void *)(buf + c * stride);

		for (__u32 r = 0; r < XG_CM_ROWS; r++) {
			for (__u32 i = 0; i < XG_CM_WIDTH; i++) {
				__u64 w = xg_cm_decay(b->w[r * XG_CM_ROW_WORDS + i / 2], ep);

				v->row[r][i] += xg_cm_lane(w, i & 1);
			}
		}
	}
	free(buf);
	for (__u32 i = 0; !err && i < XG_CM_WIDTH; i++)
		v->mass += v->row[0][i];
	return err;
}

__u64 xg_sketch_estimate(const struct xg_sketch_view *v, int family,
			 const __u8 addr[16])
{
	__u32 a[4];
	__u64 h, est = ~0ULL;

	memcpy(a, addr, sizeof(a));
	h = family == AF_INET ? xg_sketch_hash4(a[0]) : xg_sketch_hash6(a);
	for (__u32 r = 0; r < XG_CM_ROWS; r++) {
		__u64 c = v->row[r][xg_cm_index(h, r)];

		if (c < est)
			est = c;
	}
	return est;
}

__u64 xg_sketch_bound(const struct xg_sketch_view *v)
{
	/* e / width, rounded up */
	return (v->mass * 2719 + 1000ULL * XG_CM_WIDTH - 1) / (1000ULL * XG_CM_WIDTH);
}

void xg_sketch_annotate(const struct xg_sketch_view *v,
			struct xg_source_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rows[i].held_est = v->mass ?
			xg_sketch_estimate(v, rows[i].family, rows[i].addr) : 0;
		if (rows[i].held_est)
			rows[i].flags |= XG_ROW_ESTIMATE;
		else
			rows[i].flags &= ~XG_ROW_ESTIMATE;
	}
}
