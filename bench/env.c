// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/utsname.h>

#include "env.h"
#include "log.h"

int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		xg_err("pin benchmark to CPU %d: %s", cpu, strerror(errno));
		return -errno;
	}
	return 0;
}

int bench_private_bpffs(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/xgbench.XXXXXX");
	if (!mkdtemp(dir)) {
		xg_err("private bpffs: mkdtemp: %s", strerror(errno));
		return -errno;
	}
	if (mount("bpf", dir, "bpf", 0, "mode=0700")) {
		xg_err("private bpffs: mount bpf on %s: %s", dir,
		       strerror(errno));
		rmdir(dir);
		dir[0] = 0;
		return -errno;
	}
	return 0;
}

void bench_private_bpffs_remove(const char *dir)
{
	if (!dir[0])
		return;
	if (umount2(dir, MNT_DETACH))
		xg_warn("unmount %s: %s", dir, strerror(errno));
	rmdir(dir);
}

void bench_machine_info(struct bench_machine *m)
{
	struct utsname u;
	char line[256];
	FILE *f;
	time_t t = time(NULL);

	memset(m, 0, sizeof(*m));
	snprintf(m->cpu_model, sizeof(m->cpu_model), "unknown");
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !c)
			continue;
		c += 2;
		c[strcspn(c, "\n")] = 0;
		snprintf(m->cpu_model, sizeof(m->cpu_model), "%s", c);
		break;
	}
	if (f)
		fclose(f);
	if (!uname(&u))
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.release,
			 u.machine);
	m->nr_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}
