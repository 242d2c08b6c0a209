/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands of kmx, the kernel matrix's helper in the guest. Each
 * prints one result line on stdout, its errors on stderr, and returns the
 * exit status (0 done, 1 failed or refused, 2 usage).
 */
#ifndef KMX_CMDS_H
#define KMX_CMDS_H

int kmx_send(int argc, char **argv);          /* send IFACE KIND,SRC,COUNT... */
int kmx_count_attach(int argc, char **argv);  /* count-attach IFACE [native|skb] */
int kmx_count_read(int argc, char **argv);    /* count-read */
int kmx_count_detach(int argc, char **argv);  /* count-detach IFACE */
int kmx_list(int argc, char **argv);          /* list IFACE */
int kmx_probe_freplace(int argc, char **argv);/* probe-freplace */
int kmx_probe_percpu_inline(int argc, char **argv); /* probe-percpu-inline */

#endif
