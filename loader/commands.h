/* SPDX-License-Identifier: GPL-2.0 */
/* One entry point per subcommand; main() only dispatches. Each returns the
 * process exit status (0 success, 1 failure, 2 usage error).
 */
#ifndef XG_COMMANDS_H
#define XG_COMMANDS_H

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_cgroups(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif
