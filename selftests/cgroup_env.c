// SPDX-License-Identifier: GPL-2.0
/* Cgroups, namespaces and traffic for the socket-layer tests. Each flow
 * forks two processes; each joins its cgroup (and namespace) before it
 * creates a socket, so the socket belongs to that cgroup, and counts the
 * calls it makes and the bytes they return, which is what the socket
 * backends must report for its cgroup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include "cgroup_env.h"
#include "cgroups_resolve.h"

static char tag[16]; /* xge<pid36> */

static const char *pid_tag(void)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned int p = (unsigned int)getpid();

	if (!*tag) {
		strcpy(tag, "xge00000");
		for (int i = 7; i >= 3 && p; i--, p /= 36)
			tag[i] = digits[p % 36];
	}
	return tag;
}

static int fill_id(struct cg_dir *d)
{
	d->id = xg_cg_id_of_path(d->path);
	return d->id ? 0 : -errno;
}

int cg_env_parent(struct cg_dir *parent)
{
	char root[256];

	if (xg_cg_v2_mount(root, sizeof(root)))
		return -ENOENT;
	snprintf(parent->path, sizeof(parent->path), "%s/%sc00", root, pid_tag());
	if (mkdir(parent->path, 0755) && errno != EEXIST)
		return -errno;
	return fill_id(parent);
}

int cg_env_child(const struct cg_dir *parent, char role, int n, struct cg_dir *out)
{
	int len = snprintf(out->path, sizeof(out->path), "%s/%s%c%02d",
			   parent->path, pid_tag(), role, n);

	if (len < 0 || (size_t)len >= sizeof(out->path))
		return -ENAMETOOLONG;
	if (mkdir(out->path, 0755) && errno != EEXIST)
		return -errno;
	return fill_id(out);
}

int cg_env_remove(const struct cg_dir *d)
{
	return rmdir(d->path) && errno != ENOENT ? -errno : 0;
}

/* ---- namespaces ---- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) ? -1 : 0;
}

int cg_env_veth_up(void)
{
	const char *t = pid_tag();

	if (sh("command -v ip >/dev/null 2>&1"))
		return -ENOENT;
	cg_env_veth_down();
	if (sh("ip netns add %sn01 && ip netns add %sn02", t, t) ||
	    sh("ip link add %sv01 netns %sn01 type veth peer name %sv02 netns %sn02",
	       t, t, t, t) ||
	    sh("ip -n %sn01 addr add 192.0.2.1/24 dev %sv01 && "
	       "ip -n %sn01 addr add 2001:db8:cafe::1/64 dev %sv01 nodad && "
	       "ip -n %sn02 addr add 192.0.2.2/24 dev %sv02 && "
	       "ip -n %sn02 addr add 2001:db8:cafe::2/64 dev %sv02 nodad",
	       t, t, t, t, t, t, t, t) ||
	    sh("for n in 1 2; do ip -n %sn0$n link set lo up && "
	       "ip -n %sn0$n link set %sv0$n up || exit 1; done", t, t, t)) {
		cg_env_veth_down();
		return -EIO;
	}
	return 0;
}

void cg_env_veth_down(void)
{
	const char *t = pid_tag();

	/* Deleting a namespace deletes its end of the veth, and the peer. */
	sh("ip netns del %sn01 2>/dev/null; ip netns del %sn02 2>/dev/null; true", t, t);
}

/* ---- the two processes of a flow ---- */

struct child_out {
	struct cg_side side;
	char err[120];
};

static int join(const struct cg_dir *cg, const char *netns)
{
	char path[600];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err || !netns)
		return err;
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

static int make_addr(const struct cg_flow *f, bool server, __u16 port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (f->family == XG_CG_IPV4) {
		struct sockaddr_in *a = (void *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, !f->veth ? "127.0.0.1" :
			  server ? "192.0.2.2" : "192.0.2.1", &a->sin_addr);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, !f->veth ? "::1" :
			  server ? "2001:db8:cafe::2" : "2001:db8:cafe::1", &a->sin6_addr);
		*len = sizeof(*a);
	}
	return 0;
}

static __u32 ip_header(const struct cg_flow *f)
{
	return f->family == XG_CG_IPV4 ? 20 : 40;
}

static int new_socket(const struct cg_flow *f)
{
	struct timeval tv = { .tv_sec = 5 };
	int s = socket(f->family == XG_CG_IPV4 ? AF_INET : AF_INET6,
		       (f->proto == XG_CG_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);

	if (s >= 0)
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/* Send count * size bytes: UDP one datagram per call, TCP until all out. */
static int send_all(int s, const struct cg_flow *f, __u32 count, __u32 size,
		    struct cg_side *side)
{
	static char buf[65536];
	__u64 left = (__u64)count * size;

	memset(buf, 0xa5, sizeof(buf));
	if (f->proto == XG_CG_UDP) {
		for (__u32 i = 0; i < count; i++) {
			ssize_t n = send(s, buf, size, 0);

			if (n != (ssize_t)size)
				return -1;
			side->tx_calls++;
			side->tx_bytes += n;
			side->tx_datagrams_wire += n + 8 + ip_header(f);
		}
		return 0;
	}
	while (left) {
		ssize_t n = send(s, buf, left < size ? left : size, 0);

		if (n < 0)
			return -1;
		side->tx_calls++;
		side->tx_bytes += n;
		left -= n;
	}
	return 0;
}

/* Receive count datagrams (UDP) or count * size bytes (TCP; with eof,
 * then read on until the peer closes).
 */
static int recv_all(int s, const struct cg_flow *f, __u32 count, __u32 size,
		    bool eof, struct cg_side *side)
{
	static char buf[65536];
	__u64 want = (__u64)count * size, got = 0;

	if (f->proto == XG_CG_UDP) {
		for (__u32 i = 0; i < count; i++) {
			ssize_t n = recv(s, buf, sizeof(buf), 0);

			if (n != (ssize_t)size)
				return -1;
			side->rx_calls++;
			side->rx_bytes += n;
			side->rx_datagrams_wire += n + 8 + ip_header(f);
		}
		return 0;
	}
	for (;;) {
		ssize_t n;

		if (got == want && !eof)
			return 0;
		n = recv(s, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		side->rx_calls++;
		side->rx_bytes += n;
		got += n;
		if (n == 0)
			return got == want ? 0 : -1;
	}
}

static void child_exit(int out_fd, struct child_out *o, const char *err)
{
	if (err)
		snprintf(o->err, sizeof(o->err), "%s: %s", err, strerror(errno));
	if (write(out_fd, o, sizeof(*o)) != sizeof(*o))
		_exit(3);
	_exit(err ? 1 : 0);
}

static void server(const struct cg_flow *f, const struct cg_dir *cg,
		   const char *netns, int port_fd, int out_fd)
{
	struct child_out o = { 0 };
	struct sockaddr_storage ss, peer;
	socklen_t len, plen = sizeof(peer);
	int s, c;
	__u16 port;

	if (join(cg, netns))
		child_exit(out_fd, &o, "server: join cgroup/netns");
	s = new_socket(f);
	make_addr(f, true, 0, &ss, &len);
	if (s < 0 || bind(s, (void *)&ss, len) ||
	    (f->proto == XG_CG_TCP && listen(s, 1)) ||
	    getsockname(s, (void *)&ss, &len))
		child_exit(out_fd, &o, "server: socket");
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port); /* same offset in v6 */
	if (write(port_fd, &port, sizeof(port)) != sizeof(port))
		child_exit(out_fd, &o, "server: port");
	if (f->proto == XG_CG_TCP) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			child_exit(out_fd, &o, "server: accept");
		if (recv_all(c, f, f->a_count, f->a_size, false, &o.side))
			child_exit(out_fd, &o, "server: receive");
		if (send_all(c, f, f->b_count, f->b_size, &o.side))
			child_exit(out_fd, &o, "server: send");
		close(c);
	} else {
		static char buf[65536];

		/* The first datagram tells where to answer. */
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (void *)&peer, &plen);

		if (n != (ssize_t)f->a_size || connect(s, (void *)&peer, plen))
			child_exit(out_fd, &o, "server: first datagram");
		o.side.rx_calls++;
		o.side.rx_bytes += n;
		o.side.rx_datagrams_wire += n + 8 + ip_header(f);
		if (recv_all(s, f, f->a_count - 1, f->a_size, false, &o.side))
			child_exit(out_fd, &o, "server: receive");
		if (send_all(s, f, f->b_count, f->b_size, &o.side))
			child_exit(out_fd, &o, "server: send");
	}
	close(s);
	child_exit(out_fd, &o, NULL);
}

static void client(const struct cg_flow *f, const struct cg_dir *cg,
		   const char *netns, __u16 port, int out_fd)
{
	struct child_out o = { 0 };
	struct sockaddr_storage ss;
	socklen_t len;
	int s;

	if (join(cg, netns))
		child_exit(out_fd, &o, "client: join cgroup/netns");
	s = new_socket(f);
	make_addr(f, true, port, &ss, &len);
	if (s < 0 || connect(s, (void *)&ss, len))
		child_exit(out_fd, &o, "client: connect");
	if (send_all(s, f, f->a_count, f->a_size, &o.side))
		child_exit(out_fd, &o, "client: send");
	if (recv_all(s, f, f->b_count, f->b_size, true, &o.side))
		child_exit(out_fd, &o, "client: receive");
	close(s);
	child_exit(out_fd, &o, NULL);
}

/* Collect a child's report and its exit; kills it if it hangs. */
static int reap(pid_t pid, int fd, struct cg_side *side, char *why, size_t len)
{
	struct child_out o = { 0 };
	ssize_t n = read(fd, &o, sizeof(o));
	int status = 0;

	close(fd);
	if (n != sizeof(o))
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	*side = o.side;
	if (n == sizeof(o) && WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (!*why)
		snprintf(why, len, "%s", o.err[0] ? o.err : "child died");
	return -1;
}

int cg_env_run_flow(const struct cg_flow *f, const struct cg_dir *a,
		    const struct cg_dir *b, struct cg_side *sa,
		    struct cg_side *sb, char *why, size_t len)
{
	char ns_a[24], ns_b[24];
	int port_p[2], out_a[2], out_b[2], err = 0;
	pid_t pa = -1, pb;
	__u16 port = 0;

	why[0] = '\0';
	snprintf(ns_a, sizeof(ns_a), "%sn01", pid_tag());
	snprintf(ns_b, sizeof(ns_b), "%sn02", pid_tag());
	if (pipe2(port_p, O_CLOEXEC) || pipe2(out_a, O_CLOEXEC) || pipe2(out_b, O_CLOEXEC)) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pb = fork();
	if (pb == 0)
		server(f, b, f->veth ? ns_b : NULL, port_p[1], out_b[1]);
	close(port_p[1]);
	close(out_b[1]);
	if (pb > 0 && read(port_p[0], &port, sizeof(port)) == sizeof(port)) {
		pa = fork();
		if (pa == 0)
			client(f, a, f->veth ? ns_a : NULL, port, out_a[1]);
	}
	close(port_p[0]);
	close(out_a[1]);
	memset(sa, 0, sizeof(*sa));
	if (pa > 0)
		err |= reap(pa, out_a[0], sa, why, len);
	else
		close(out_a[0]);
	if (pb > 0)
		err |= reap(pb, out_b[0], sb, why, len);
	if (pb <= 0 || pa <= 0) {
		if (!*why)
			snprintf(why, len, "fork or server start failed");
		err = -1;
	}
	return err;
}
