// SPDX-License-Identifier: GPL-2.0
/* kmx send IFACE KIND,SRC,COUNT...: write COUNT frames of the benchmark's
 * KIND (bench/packets.c, so the bytes are the ones the benchmark times)
 * with source address SRC out of IFACE through a packet socket. The peer
 * of a veth pair then receives them in its XDP hook. Frames go out one by
 * one in the order given; the totals are printed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "kmx_cmds.h"
#include "packets.h"

/* Where bench/packets.c puts the source address, by kind. */
static const struct {
	const char *name;
	enum bench_pkt_kind kind;
	int family;
	int saddr_off;
} kinds[] = {
	{ "ipv4", PKT_IPV4_UDP, AF_INET, 14 + 12 },
	{ "ipv6", PKT_IPV6_UDP, AF_INET6, 14 + 8 },
	{ "ipv6-ext", PKT_IPV6_EXT, AF_INET6, 14 + 8 },
	{ "vlan-ipv4", PKT_VLAN_IPV4, AF_INET, 18 + 12 },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
#define KMX_SEND_MAX 100000

/* "KIND,SRC,COUNT" into a ready frame and a count. */
static int parse_spec(const char *spec, struct bench_pkt *p, unsigned long *count)
{
	char buf[128], *kind, *src, *num, *end;
	unsigned char addr[16];
	size_t k;

	snprintf(buf, sizeof(buf), "%s", spec);
	kind = strtok(buf, ",");
	src = strtok(NULL, ",");
	num = strtok(NULL, ",");
	if (!kind || !src || !num || strtok(NULL, ","))
		goto bad;
	for (k = 0; k < NKINDS && strcmp(kinds[k].name, kind); k++)
		;
	if (k == NKINDS || inet_pton(kinds[k].family, src, addr) != 1)
		goto bad;
	errno = 0;
	*count = strtoul(num, &end, 10);
	if (errno || *end || !*num || *count > KMX_SEND_MAX)
		goto bad;
	bench_pkt_build(kinds[k].kind, NULL, p);
	memcpy(p->data + kinds[k].saddr_off, addr,
	       kinds[k].family == AF_INET ? 4 : 16);
	return 0;
bad:
	fprintf(stderr, "kmx send: bad frame spec '%s' (want KIND,SRC,COUNT, "
		"COUNT at most %d)\n", spec, KMX_SEND_MAX);
	return -1;
}

int kmx_send(int argc, char **argv)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	unsigned long total = 0, bytes = 0, count;
	struct bench_pkt p;
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: kmx send IFACE KIND,SRC,COUNT...\n");
		return 2;
	}
	to.sll_ifindex = (int)if_nametoindex(argv[0]);
	if (!to.sll_ifindex) {
		fprintf(stderr, "kmx send: interface %s: no such interface\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++)
		if (parse_spec(argv[i], &p, &count))
			return 2;
	fd = socket(AF_PACKET, SOCK_RAW, 0); /* send only: receive nothing */
	if (fd < 0) {
		fprintf(stderr, "kmx send: packet socket: %s\n", strerror(errno));
		return 1;
	}
	for (i = 1; i < argc; i++) {
		parse_spec(argv[i], &p, &count);
		memcpy(to.sll_addr, p.data, ETH_ALEN);
		for (unsigned long n = 0; n < count; n++) {
			if (sendto(fd, p.data, p.len, 0, (struct sockaddr *)&to,
				   sizeof(to)) != (ssize_t)p.len) {
				fprintf(stderr, "kmx send: interface %s: frame %lu "
					"of '%s': %s\n", argv[0], n + 1, argv[i],
					strerror(errno));
				close(fd);
				return 1;
			}
			total++;
			bytes += p.len;
		}
	}
	close(fd);
	printf("sent %lu frames, %lu bytes\n", total, bytes);
	return 0;
}
