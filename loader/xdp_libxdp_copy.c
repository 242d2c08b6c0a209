// SPDX-License-Identifier: GPL-2.0
/* libxdp puts a program into its multi-program dispatcher only by loading
 * it itself, as an extension (freplace) of the dispatcher: a program the
 * loader already loaded as XDP cannot change type, and libxdp then falls
 * back to a single-program attach even where the kernel runs the
 * dispatcher. So the libxdp path hands it a fresh, unloaded copy of the
 * loaded object that shares every one of its maps (counters, pins and the
 * frozen configuration in .rodata), and libxdp loads that copy as an
 * extension or, where the dispatcher cannot run, as plain XDP.
 */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"
#include "xdp_attach.h"
#include "xdpgate_limits.h"
#include "xdpgate_xdp.skel.h"

static struct bpf_object *open_same(const struct xg_attach_req *req,
				    const struct xg_loaded *l)
{
	/* The same object name, so the internal maps (.rodata, .bss) get
	 * the same names as the loaded object's and can be matched.
	 */
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = bpf_object__name(l->obj));
	const void *elf;
	size_t size;

	if (req->obj_path)
		return bpf_object__open_file(req->obj_path, &opts);
	elf = xdpgate_xdp__elf_bytes(&size);
	return bpf_object__open_mem(elf, size, &opts);
}

/* Every map of the copy is the loaded object's map, never a new or pinned one. */
static int share_maps(struct bpf_object *copy, const struct xg_loaded *l)
{
	struct bpf_map *m, *orig;
	int err;

	bpf_object__for_each_map(m, copy) {
		orig = bpf_object__find_map_by_name(l->obj, bpf_map__name(m));
		if (!orig || bpf_map__fd(orig) < 0)
			return -ENOENT;
		err = bpf_map__set_pin_path(m, NULL);
		if (!err)
			err = bpf_map__reuse_fd(m, bpf_map__fd(orig));
		if (err)
			return err;
	}
	return 0;
}

int xg_libxdp_copy(const struct xg_attach_req *req, const struct xg_loaded *l,
		   struct xdp_program **prog, struct bpf_object **copy)
{
	struct bpf_program *p;
	int err;

	*copy = open_same(req, l);
	if (!*copy) {
		err = -errno;
		goto fail;
	}
	bpf_object__for_each_program(p, *copy)
		if (strcmp(bpf_program__name(p), XG_PROG_NAME_XDP))
			bpf_program__set_autoload(p, false);
	err = share_maps(*copy, l);
	if (err)
		goto fail;
	DECLARE_LIBXDP_OPTS(xdp_program_opts, po, .obj = *copy,
			    .prog_name = XG_PROG_NAME_XDP);
	*prog = xdp_program__create(&po);
	err = libxdp_get_error(*prog);
	if (!err)
		return 0;
	*prog = NULL;
fail:
	xg_debug("interface %s: a copy of %s for libxdp: %s", req->ifname,
		 XG_PROG_NAME_XDP, xg_strerror(err));
	bpf_object__close(*copy);
	*copy = NULL;
	return err;
}
