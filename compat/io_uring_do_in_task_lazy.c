// SPDX-License-Identifier: GPL-2.0
/* io_uring_cmd_do_in_task_lazy() (6.5); before it only
 * io_uring_cmd_complete_in_task().
 */
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

unsigned long lnvme_probe(void);
unsigned long lnvme_probe(void)
{
	return (unsigned long)&io_uring_cmd_do_in_task_lazy;
}
