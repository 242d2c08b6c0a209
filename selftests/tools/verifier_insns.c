// SPDX-License-Identifier: GPL-2.0
/* verifier_insns: how many instructions the kernel's verifier walked for
 * each of xdpgate's BPF programs (prog info verified_insns, Linux 5.16+),
 * written to or compared with the record in the repository
 * (selftests/verifier_insns.md), so growth shows in review.
 *
 *   verifier_insns --write FILE --clang VERSION OBJ...   make verifier-stats
 *   verifier_insns --check FILE --clang VERSION OBJ...   part of make test
 *
 * Each program is loaded alone (the object's other programs not
 * autoloaded), with its maps unpinned so nothing under /sys/fs/bpf is
 * touched, and with the object's default configuration (.rodata as
 * compiled). A program this kernel refuses is recorded as such rather than
 * failing the run. The count depends on the kernel and the compiler, so
 * --check compares only on the kernel and clang the record was made with,
 * and says SKIP with the reason otherwise.
 *
 * Exit: 0 recorded / matches / skipped, 1 differs or failed, 2 usage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_ROWS 64
#define LINE_MAX_LEN 512

struct row {
	char object[128];
	char program[64];
	char section[64];
	long verified;  /* -1: not loadable here */
	long xlated;
	char note[128]; /* why not loadable */
};

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	return 0;
}

static const char *base_name(const char *path)
{
	const char *build = strstr(path, "/");

	/* build/xdp/x.bpf.o -> xdp/x.bpf.o: the record names sources' places,
	 * whatever the build directory is called.
	 */
	return build ? build + 1 : path;
}

/* Load program index want of obj_path alone and measure it. */
static int measure_one(const char *obj_path, int want, struct row *r)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_program *p, *mine = NULL;
	struct bpf_map *m;
	int i = 0, err;

	if (!obj) {
		fprintf(stderr, "verifier_insns: cannot open %s: %s\n", obj_path,
			strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_autoload(p, i == want);
		if (i++ == want)
			mine = p;
	}
	if (!mine) {
		bpf_object__close(obj);
		return 0; /* no such index: done */
	}
	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
	/* libbpf 1.1 does not know the "tc/egress" section: SCHED_CLS, as
	 * the loader and the TC tests set it.
	 */
	if (bpf_program__type(mine) == BPF_PROG_TYPE_UNSPEC &&
	    !strncmp(bpf_program__section_name(mine), "tc/", 3))
		bpf_program__set_type(mine, BPF_PROG_TYPE_SCHED_CLS);
	snprintf(r->object, sizeof(r->object), "%s", base_name(obj_path));
	snprintf(r->program, sizeof(r->program), "%s", bpf_program__name(mine));
	snprintf(r->section, sizeof(r->section), "%s", bpf_program__section_name(mine));
	err = bpf_object__load(obj);
	if (err) {
		r->verified = r->xlated = -1;
		snprintf(r->note, sizeof(r->note), "%s", strerror(-err));
	} else if (bpf_obj_get_info_by_fd(bpf_program__fd(mine), &info, &len)) {
		fprintf(stderr, "verifier_insns: prog info of %s: %s\n", r->program,
			strerror(errno));
		bpf_object__close(obj);
		return -1;
	} else {
		r->verified = info.verified_insns;
		r->xlated = info.xlated_prog_len / 8;
	}
	bpf_object__close(obj);
	return 1;
}

static int measure(char **objs, int nobj, struct row *rows)
{
	int n = 0;

	for (int o = 0; o < nobj; o++) {
		for (int want = 0;; want++) {
			int got;

			if (n == MAX_ROWS) {
				fprintf(stderr, "verifier_insns: more than %d programs\n",
					MAX_ROWS);
				return -1;
			}
			got = measure_one(objs[o], want, &rows[n]);
			if (got < 0)
				return -1;
			if (!got)
				break;
			n++;
		}
	}
	return n;
}

static void kernel_name(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%s %s", u.release, u.machine);
}

static void print_table(FILE *f, const struct row *rows, int n)
{
	fprintf(f, "| object | program | section | verified_insns | xlated insns |\n");
	fprintf(f, "|---|---|---|---:|---:|\n");
	for (int i = 0; i < n; i++) {
		if (rows[i].verified < 0)
			fprintf(f, "| %s | %s | %s | - | - |\n", rows[i].object,
				rows[i].program, rows[i].section);
		else
			fprintf(f, "| %s | %s | %s | %ld | %ld |\n", rows[i].object,
				rows[i].program, rows[i].section, rows[i].verified,
				rows[i].xlated);
	}
}

static int write_record(const char *path, const char *clang,
			const struct row *rows, int n)
{
	char kernel[256];
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "verifier_insns: %s: %s\n", path, strerror(errno));
		return 1;
	}
	kernel_name(kernel, sizeof(kernel));
	fprintf(f, "# BPF verifier instruction counts\n\n");
	fprintf(f, "Instructions the verifier walked (`verified_insns`) and the program's size\n"
		   "after the verifier's rewrites (`xlated insns`), each program loaded alone\n"
		   "with its default configuration. Written by `make verifier-stats`; `make test`\n"
		   "measures again and fails when the numbers differ from these, so a change\n"
		   "that makes a program grow (or shrink) shows in review. The numbers depend\n"
		   "on the kernel and the compiler: on another kernel or clang the check says\n"
		   "SKIP. `-` is a program this kernel refused to load.\n\n");
	fprintf(f, "kernel: %s\n\nclang: %s\n\n", kernel, clang);
	print_table(f, rows, n);
	for (int i = 0, first = 1; i < n; i++) {
		if (rows[i].verified >= 0)
			continue;
		if (first)
			fprintf(f, "\nRefused by this kernel:\n\n");
		first = 0;
		fprintf(f, "- %s (%s): %s\n", rows[i].program, rows[i].section,
			rows[i].note);
	}
	if (fclose(f)) {
		fprintf(stderr, "verifier_insns: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("verifier_insns: %d programs recorded in %s\n", n, path);
	return 0;
}

/* The value after "key: " on its own line of the record, or "". */
static void record_field(FILE *f, const char *key, char *out, size_t len)
{
	char line[LINE_MAX_LEN];
	size_t k = strlen(key);

	out[0] = 0;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, k) && line[k] == ':' && line[k + 1] == ' ') {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, len, "%s", line + k + 2);
			return;
		}
	}
}

static int check_record(const char *path, const char *clang,
			const struct row *rows, int n)
{
	char kernel[256], rec_kernel[256], rec_clang[256], line[LINE_MAX_LEN];
	char *measured = NULL, *recorded;
	size_t mlen = 0, rlen = 0;
	FILE *f = fopen(path, "r"), *m;
	int same;

	if (!f) {
		printf("FAIL verifier record: %s: %s (run make verifier-stats and commit it)\n",
		       path, strerror(errno));
		return 1;
	}
	kernel_name(kernel, sizeof(kernel));
	record_field(f, "kernel", rec_kernel, sizeof(rec_kernel));
	record_field(f, "clang", rec_clang, sizeof(rec_clang));
	if (strcmp(rec_kernel, kernel) || strcmp(rec_clang, clang)) {
		printf("SKIP verifier record: %s was made on kernel '%s' with '%s'; this is kernel '%s' with '%s', where the counts differ anyway\n",
		       path, rec_kernel, rec_clang, kernel, clang);
		fclose(f);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (rows[i].verified == 0) {
			printf("SKIP verifier record: this kernel reports no verified_insns (Linux 5.16+)\n");
			fclose(f);
			return 0;
		}
	/* The table lines of the record against the table measured now. */
	m = open_memstream(&measured, &mlen);
	if (!m) {
		fclose(f);
		return 1;
	}
	print_table(m, rows, n);
	fclose(m);
	recorded = calloc(1, 1);
	rewind(f);
	while (recorded && fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);
		char *grown;

		if (line[0] != '|')
			continue;
		grown = realloc(recorded, rlen + l + 1);
		if (!grown)
			break;
		recorded = grown;
		memcpy(recorded + rlen, line, l + 1);
		rlen += l;
	}
	fclose(f);
	same = recorded && !strcmp(recorded, measured);
	if (same) {
		printf("ok   verifier record: %d programs as recorded in %s (kernel %s)\n",
		       n, path, kernel);
	} else {
		printf("FAIL verifier record: the verifier's counts differ from %s.\n"
		       "     recorded:\n%s     now:\n%s"
		       "     If the change is intended, run `make verifier-stats` and commit %s.\n",
		       path, recorded ? recorded : "", measured, path);
	}
	free(recorded);
	free(measured);
	return same ? 0 : 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: verifier_insns --write|--check FILE --clang VERSION OBJ...\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct row rows[MAX_ROWS];
	const char *file, *clang;
	int write, n;

	if (argc < 6 || strcmp(argv[3], "--clang"))
		return usage();
	if (!strcmp(argv[1], "--write"))
		write = 1;
	else if (!strcmp(argv[1], "--check"))
		write = 0;
	else
		return usage();
	file = argv[2];
	clang = argv[4];
	libbpf_set_print(quiet_libbpf);
	n = measure(argv + 5, argc - 5, rows);
	if (n < 0)
		return 1;
	return write ? write_record(file, clang, rows, n) :
		       check_record(file, clang, rows, n);
}
