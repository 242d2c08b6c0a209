// SPDX-License-Identifier: GPL-2.0
/* xdpgate serve: the metrics model over HTTP for Prometheus, on
 * libmicrohttpd. Only /metrics (and / with a link to it); 404 for the rest.
 *
 * The exporter owns nothing: every collection finds the instances and the
 * socket layer afresh, so programs attached, replaced or detached under it
 * show up, change or read as absent (xdpgate_up 0) on the next scrape.
 * Collections are serialised and shared: a scrape that arrives while one
 * runs waits for it and answers with its result, and one within --cache
 * seconds of the last reuses it, so a hundred concurrent scrapes walk a
 * million-entry map once. The exporter's own figures (scrapes, open fds)
 * are added per answer.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "bpffs.h"
#include "caps.h"
#include "commands.h"
#include "ifname.h"
#include "log.h"
#include "metrics.h"
#include "prom.h"
#include "prom_metrics.h"
#include "util.h"

#define SERVE_PORT_DEFAULT "9435"
#define SERVE_TOP_DEFAULT 20
#define SERVE_TOP_CGROUPS_DEFAULT 50
#define SERVE_THREADS 4
#define SERVE_CONN_LIMIT 256
#define SERVE_CONN_TIMEOUT_S 30
#define SERVE_IFACE_MAX 64

static const char serve_usage[] =
	"usage: xdpgate serve [--listen ADDR:PORT] [--top-sources N] [--iface IFACE]...\n"
	"                     [--cgroups | --no-cgroups] [--top-cgroups N]\n"
	"                     [--sort packets|bytes] [--cache SECONDS]\n"
	"\n"
	"Serve Prometheus metrics on http://ADDR:PORT/metrics.\n"
	"  --listen ADDR:PORT  where to listen (default 127.0.0.1:" SERVE_PORT_DEFAULT
	"; [::1]:PORT\n"
	"                      for IPv6; port 0 picks a free one, printed at start)\n"
	"  --top-sources N     per-source series for the N busiest sources of each\n"
	"                      interface, the rest as source=\"other\" (default 20)\n"
	"  --iface IFACE       only this interface (repeat for more; default every\n"
	"                      interface of this network namespace)\n"
	"  --cgroups, --no-cgroups\n"
	"                      the socket layer's per-cgroup series (default: on\n"
	"                      unless --iface is given)\n"
	"  --top-cgroups N     cgroups with their own series (default 50)\n"
	"  --sort packets|bytes  what makes a source busy (default packets)\n"
	"  --cache SECONDS     answer scrapes within SECONDS of the last collection\n"
	"                      from it (default 1; 0: collect for every scrape,\n"
	"                      still one at a time)\n";

#define usage_error(fmt, arg) xg_usage_error("serve", serve_usage, fmt, arg)

struct serve_opts {
	char *listen;
	char *ifnames[SERVE_IFACE_MAX];
	int nr_ifnames;
	int cgroups;           /* -1: default */
	struct xg_scrape_opts so;
	double cache_s;
};

/* The last collection, rendered, and who is making the next one. */
struct serve_state {
	struct xg_scrape_opts so;
	__u64 cache_ns;
	pthread_mutex_t lock;
	pthread_cond_t done;
	bool busy;
	__u64 gen;          /* bumped by every collection */
	char *body;         /* NULL: the last collection failed */
	size_t len;
	__u64 made_ns;
	__u64 scrapes, collections;
	double start_time;
};

static int parse_count(const char *s, size_t *out)
{
	unsigned long long v;

	if (xg_parse_decimal(s, SIZE_MAX, &v))
		return -ERANGE;
	*out = (size_t)v;
	return 0;
}

/* 0 ok, 1 --help, 2 usage error. */
static int parse_args(int argc, char **argv, struct serve_opts *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "top-sources", required_argument, NULL, 't' },
		{ "top-cgroups", required_argument, NULL, 'T' },
		{ "iface", required_argument, NULL, 'i' },
		{ "cgroups", no_argument, NULL, 'c' },
		{ "no-cgroups", no_argument, NULL, 'C' },
		{ "sort", required_argument, NULL, 's' },
		{ "cache", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:" SERVE_PORT_DEFAULT;
	o->cgroups = -1;
	o->so.top_sources = SERVE_TOP_DEFAULT;
	o->so.top_cgroups = SERVE_TOP_CGROUPS_DEFAULT;
	o->cache_s = 1.0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 't':
			if (parse_count(optarg, &o->so.top_sources))
				return usage_error("--top-sources wants a whole number, not '%s'",
						   optarg);
			break;
		case 'T':
			if (parse_count(optarg, &o->so.top_cgroups))
				return usage_error("--top-cgroups wants a whole number, not '%s'",
						   optarg);
			break;
		case 'i':
			if (xg_ifname_check("serve", optarg))
				return 2;
			if (o->nr_ifnames == SERVE_IFACE_MAX)
				return usage_error("at most 64 --iface, not more: '%s'", optarg);
			o->ifnames[o->nr_ifnames++] = optarg;
			break;
		case 'c':
		case 'C':
			o->cgroups = c == 'c';
			break;
		case 's':
			if (!strcmp(optarg, "packets"))
				o->so.sort = XG_SORT_PACKETS;
			else if (!strcmp(optarg, "bytes"))
				o->so.sort = XG_SORT_BYTES;
			else
				return usage_error("--sort wants packets or bytes, not '%s'", optarg);
			break;
		case 'k':
			if (xg_parse_seconds(optarg, 0, 3600, &o->cache_s))
				return usage_error("--cache wants seconds from 0 to 3600, not '%s'",
						   optarg);
			break;
		case 'h':
			fputs(serve_usage, stdout);
			return 1;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (interfaces go with --iface)",
				   argv[optind]);
	if (o->nr_ifnames) {
		o->so.ifnames = o->ifnames;
		o->so.nr_ifnames = o->nr_ifnames;
	}
	o->so.cgroups = o->cgroups < 0 ? !o->nr_ifnames : o->cgroups;
	o->so.cg_sort = o->so.sort == XG_SORT_BYTES ? XG_CG_SORT_BYTES : XG_CG_SORT_PACKETS;
	return 0;
}

/* ADDR:PORT, [V6ADDR]:PORT or a host name; -EINVAL when unparsable. */
static int resolve_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	char host[256], *port;
	struct addrinfo *res;
	const char *h;
	int err;

	if (snprintf(host, sizeof(host), "%s", spec) >= (int)sizeof(host))
		return -EINVAL;
	port = strrchr(host, ':');
	if (!port || !port[1])
		return -EINVAL;
	*port++ = '\0';
	h = host;
	if (*h == '[') {
		size_t n = strlen(h);

		if (n < 2 || h[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = '\0';
		h++;
	}
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    atoi(port) > 65535)
		return -EINVAL;
	err = getaddrinfo(*h ? h : NULL, port, &hints, &res);
	if (err)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Collect and render; the caller holds no lock. NULL when nothing could
 * be listed (the kernel refused), which answers 500.
 */
static char *render(const struct xg_scrape_opts *so, size_t *len)
{
	struct xg_scrape s;
	char *buf = NULL;
	FILE *f;
	int err = xg_scrape_collect(so, &s);

	if (err < 0) {
		xg_err("serve: collection failed: %s", xg_strerror(err));
		xg_scrape_free(&s);
		return NULL;
	}
	f = open_memstream(&buf, len);
	if (f) {
		xg_prom_write(f, &s);
		if (fclose(f)) {
			free(buf);
			buf = NULL;
		}
	}
	xg_scrape_free(&s);
	return buf;
}

/* A copy of the current body (the caller frees it), collecting first
 * unless a recent or running collection can answer. NULL on failure.
 */
static char *current_body(struct serve_state *st, size_t *len)
{
	__u64 arrived, gen;
	char *copy = NULL;

	pthread_mutex_lock(&st->lock);
	st->scrapes++;
	arrived = xg_mono_ns();
	gen = st->gen;
	while (st->busy)
		pthread_cond_wait(&st->done, &st->lock);
	/* A collection finished while we waited, or a fresh one is here. */
	if (st->gen == gen && (!st->body || arrived - st->made_ns > st->cache_ns ||
			       !st->cache_ns)) {
		char *body;
		size_t n = 0;

		st->busy = true;
		pthread_mutex_unlock(&st->lock);
		body = render(&st->so, &n);
		pthread_mutex_lock(&st->lock);
		free(st->body);
		st->body = body;
		st->len = n;
		st->made_ns = xg_mono_ns();
		st->collections++;
		st->gen++;
		st->busy = false;
		pthread_cond_broadcast(&st->done);
	}
	if (st->body) {
		copy = malloc(st->len + 1);
		if (copy) {
			memcpy(copy, st->body, st->len + 1);
			*len = st->len;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return copy;
}

/* The cached body plus the exporter's own families, fresh. */
static char *metrics_page(struct serve_state *st, size_t *len)
{
	struct xg_prom_self self;
	size_t blen = 0;
	char *body = current_body(st, &blen), *out = NULL;
	FILE *f;

	if (!body)
		return NULL;
	pthread_mutex_lock(&st->lock);
	self.scrapes = st->scrapes;
	self.collections = st->collections;
	pthread_mutex_unlock(&st->lock);
	self.open_fds = count_fds();
	self.start_time = st->start_time;
	f = open_memstream(&out, len);
	if (f) {
		fwrite(body, 1, blen, f);
		xg_prom_write_self(f, &self);
		if (fclose(f)) {
			free(out);
			out = NULL;
		}
	}
	free(body);
	return out;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code,
			     const char *type, void *text, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, text, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static const char index_page[] =
	"<html><head><title>xdpgate exporter</title></head><body>"
	"<h1>xdpgate exporter</h1><p><a href=\"/metrics\">Metrics</a></p>"
	"</body></html>\n";

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload, size_t *upload_size, void **req)
{
	static const char not_found[] = "404 not found: this exporter serves /metrics\n";
	static const char not_allowed[] = "405 method not allowed: GET or HEAD\n";
	static const char failed[] = "500 cannot read the data plane (see the exporter's log)\n";
	struct serve_state *st = cls;
	size_t len = 0;
	char *page;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     (void *)not_allowed, sizeof(not_allowed) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (void *)index_page, sizeof(index_page) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", (void *)not_found,
			     sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
	page = metrics_page(st, &len);
	if (!page)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     (void *)failed, sizeof(failed) - 1, MHD_RESPMEM_PERSISTENT);
	return reply(c, MHD_HTTP_OK, XP_CONTENT_TYPE, page, len, MHD_RESPMEM_MUST_FREE);
}

static void print_listening(struct MHD_Daemon *d, const struct sockaddr_storage *ss)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[NI_MAXHOST];
	unsigned port = di ? di->port : 0;

	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host, sizeof(host),
			NULL, 0, NI_NUMERICHOST))
		snprintf(host, sizeof(host), "?");
	printf(ss->ss_family == AF_INET6 ? "xdpgate: serving http://[%s]:%u/metrics\n" :
					   "xdpgate: serving http://%s:%u/metrics\n",
	       host, port);
	fflush(stdout);
}

static struct MHD_Daemon *start(struct serve_state *st, const struct sockaddr_storage *ss)
{
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, answer, st,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)SERVE_THREADS,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_CONN_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_CONN_TIMEOUT_S,
				MHD_OPTION_END);
}

int cmd_serve(int argc, char **argv)
{
	static struct serve_opts o;
	struct serve_state st = { .lock = PTHREAD_MUTEX_INITIALIZER,
				  .done = PTHREAD_COND_INITIALIZER };
	struct sockaddr_storage ss = { 0 };
	struct MHD_Daemon *d;
	socklen_t sslen;
	sigset_t sigs;
	int err, sig;

	err = parse_args(argc, argv, &o);
	if (err)
		return err == 1 ? 0 : err;
	if (resolve_listen(o.listen, &ss, &sslen))
		return usage_error("--listen wants ADDR:PORT or [IPV6]:PORT, not '%s'",
				   o.listen);
	if (xg_require_caps("serve", XG_NEED_SYS_ADMIN))
		return 1;
	xg_bpffs_ready("serve", XG_BPFFS_READ);

	st.so = o.so;
	st.cache_ns = (__u64)(o.cache_s * 1e9);
	st.start_time = now_real();
	/* Every thread MHD starts inherits this mask: signals come to sigwait. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = start(&st, &ss);
	if (!d) {
		xg_err("serve: cannot listen on %s: %s", o.listen, strerror(errno));
		return 1;
	}
	print_listening(d, &ss);
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	free(st.body);
	xg_info("serve: stopped by signal %d after %llu scrapes", sig,
		(unsigned long long)st.scrapes);
	return 0;
}
