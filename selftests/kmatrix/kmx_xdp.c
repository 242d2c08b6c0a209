// SPDX-License-Identifier: GPL-2.0
/* The second XDP program through libxdp (attach, read its counter, list
 * what runs on an interface, detach it), the freplace probe that tells
 * whether this kernel can run libxdp's dispatcher at all, and the probe of
 * whether its verifier inlines per-CPU array lookups.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "kmx.h"
#include "kmx_cmds.h"
#include "kmx_count.skel.h"
#include "kmx_inline.skel.h"
#include "kmx_probe.skel.h"

#define COUNT_PROG "kmx_count"

static const char *xdp_err(int err)
{
	static char buf[256];

	libxdp_strerror(err, buf, sizeof(buf));
	return buf;
}

static int ifindex_of(const char *cmd, const char *ifname)
{
	int ifindex = (int)if_nametoindex(ifname);

	if (!ifindex)
		fprintf(stderr, "kmx %s: interface %s: no such interface\n", cmd, ifname);
	return ifindex;
}

/* "dispatcher", "legacy" or "none", and the programs libxdp sees. */
static void describe(int ifindex, char *out, size_t len)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	size_t n;

	if (!mp || libxdp_get_error(mp)) {
		snprintf(out, len, "none");
		return;
	}
	if (xdp_multiprog__is_legacy(mp)) {
		snprintf(out, len, "legacy %s",
			 xdp_program__name(xdp_multiprog__main_prog(mp)));
	} else {
		n = (size_t)snprintf(out, len, "dispatcher");
		for (p = xdp_multiprog__next_prog(NULL, mp); p && n < len;
		     p = xdp_multiprog__next_prog(p, mp))
			n += (size_t)snprintf(out + n, len - n, " %s",
					      xdp_program__name(p));
	}
	xdp_multiprog__close(mp);
}

int kmx_count_attach(int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_NATIVE;
	struct xdp_program *prog = NULL;
	struct kmx_count *skel;
	char how[256];
	int ifindex, err;

	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "native") &&
				     strcmp(argv[1], "skb"))) {
		fprintf(stderr, "usage: kmx count-attach IFACE [native|skb]\n");
		return 2;
	}
	if (argc == 2 && !strcmp(argv[1], "skb"))
		mode = XDP_MODE_SKB;
	ifindex = ifindex_of("count-attach", argv[0]);
	if (!ifindex)
		return 1;
	skel = kmx_count__open();
	if (!skel) {
		fprintf(stderr, "kmx count-attach: open %s: %s\n", COUNT_PROG,
			strerror(errno));
		return 1;
	}
	/* A fresh counter for every attach: the pin is this helper's own. */
	unlink(KMX_SEEN_PIN);
	err = bpf_map__set_pin_path(skel->maps.kmx_seen, KMX_SEEN_PIN);
	if (!err) {
		prog = xdp_program__from_bpf_obj(skel->obj, "xdp");
		err = libxdp_get_error(prog);
	}
	if (!err)
		err = xdp_program__attach(prog, ifindex, mode, 0);
	if (err) {
		fprintf(stderr, "kmx count-attach: interface %s: attach %s: %s\n",
			argv[0], COUNT_PROG, xdp_err(err));
	} else {
		describe(ifindex, how, sizeof(how));
		printf("%s attached to %s (prog id %u); on %s: %s\n", COUNT_PROG,
		       argv[0], xdp_program__id(prog), argv[0], how);
	}
	if (prog && !libxdp_get_error(prog))
		xdp_program__close(prog);
	kmx_count__destroy(skel);
	return err ? 1 : 0;
}

int kmx_count_read(int argc, char **argv)
{
	__u32 key = 0;
	__u64 n;
	int fd;

	if (argc) {
		fprintf(stderr, "usage: kmx count-read\n");
		return 2;
	}
	fd = bpf_obj_get(KMX_SEEN_PIN);
	if (fd < 0 || bpf_map_lookup_elem(fd, &key, &n)) {
		fprintf(stderr, "kmx count-read: %s: %s\n", KMX_SEEN_PIN,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

int kmx_count_detach(int argc, char **argv)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int ifindex, err = -ENOENT;

	if (argc != 1) {
		fprintf(stderr, "usage: kmx count-detach IFACE\n");
		return 2;
	}
	ifindex = ifindex_of("count-detach", argv[0]);
	if (!ifindex)
		return 1;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (!mp || libxdp_get_error(mp)) {
		fprintf(stderr, "kmx count-detach: interface %s: no XDP program\n",
			argv[0]);
		return 1;
	}
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (!strcmp(xdp_program__name(p), COUNT_PROG))
			err = xdp_multiprog__detach(mp);
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p;
		     p = xdp_multiprog__next_prog(p, mp))
			if (!strcmp(xdp_program__name(p), COUNT_PROG))
				break;
		if (p)
			err = xdp_program__detach(p, ifindex,
						  xdp_multiprog__attach_mode(mp), 0);
	}
	xdp_multiprog__close(mp);
	if (err) {
		fprintf(stderr, "kmx count-detach: interface %s: detach %s: %s\n",
			argv[0], COUNT_PROG, xdp_err(err));
		return 1;
	}
	unlink(KMX_SEEN_PIN);
	printf("%s detached from %s\n", COUNT_PROG, argv[0]);
	return 0;
}

int kmx_list(int argc, char **argv)
{
	char how[256];
	int ifindex;

	if (argc != 1) {
		fprintf(stderr, "usage: kmx list IFACE\n");
		return 2;
	}
	ifindex = ifindex_of("list", argv[0]);
	if (!ifindex)
		return 1;
	describe(ifindex, how, sizeof(how));
	printf("%s\n", how);
	return 0;
}

/* Load a target program, then an extension replacing its kmx_slot, and
 * attach it: the three steps libxdp's dispatcher takes for each program.
 */
int kmx_probe_freplace(int argc, char **argv)
{
	struct kmx_probe *target = NULL, *ext = NULL;
	struct bpf_link *link = NULL;
	const char *step = "load the target";
	int err;

	if (argc) {
		fprintf(stderr, "usage: kmx probe-freplace\n");
		return 2;
	}
	target = kmx_probe__open();
	err = target ? 0 : -errno;
	if (!err) {
		bpf_program__set_autoload(target->progs.kmx_ext, false);
		err = kmx_probe__load(target);
	}
	if (!err) {
		step = "load the extension";
		ext = kmx_probe__open();
		err = ext ? 0 : -errno;
	}
	if (!err) {
		bpf_program__set_autoload(ext->progs.kmx_target, false);
		err = bpf_program__set_attach_target(ext->progs.kmx_ext,
			bpf_program__fd(target->progs.kmx_target), "kmx_slot");
	}
	if (!err)
		err = kmx_probe__load(ext);
	if (!err) {
		step = "attach the extension";
		link = bpf_program__attach_freplace(ext->progs.kmx_ext,
			bpf_program__fd(target->progs.kmx_target), "kmx_slot");
		err = libbpf_get_error(link);
		if (err)
			link = NULL;
	}
	if (err)
		printf("freplace refused (%s: %s)\n", step, strerror(-err));
	else
		printf("freplace ok\n");
	bpf_link__destroy(link);
	kmx_probe__destroy(ext);
	kmx_probe__destroy(target);
	return err ? 1 : 0;
}

/* The verified program as the kernel runs it: a call instruction left in
 * it means the lookup was not inlined.
 */
int kmx_probe_percpu_inline(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, calls = 0;
	struct bpf_insn insns[256];
	struct kmx_inline *skel;
	int err;

	if (argc) {
		fprintf(stderr, "usage: kmx probe-percpu-inline\n");
		return 2;
	}
	skel = kmx_inline__open_and_load();
	if (!skel) {
		fprintf(stderr, "kmx probe-percpu-inline: load: %s\n", strerror(errno));
		return 1;
	}
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	info.xlated_prog_len = sizeof(insns);
	err = bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.kmx_inline), &info, &len);
	if (err || info.xlated_prog_len > sizeof(insns)) {
		fprintf(stderr, "kmx probe-percpu-inline: read the program: %s\n",
			err ? strerror(errno) : "longer than expected");
		kmx_inline__destroy(skel);
		return 1;
	}
	n = info.xlated_prog_len / sizeof(insns[0]);
	for (__u32 i = 0; i < n; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL))
			calls++;
	printf("per-CPU array lookup %s (%u instructions after verification)\n",
	       calls ? "is a call" : "inlined", n);
	kmx_inline__destroy(skel);
	return 0;
}
