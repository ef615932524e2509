// SPDX-License-Identifier: GPL-2.0
/* IO_URING_F_COMPAT: the ring belongs to a 32-bit task (6.4). */
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

unsigned int lnvme_probe(void);
unsigned int lnvme_probe(void)
{
	return IO_URING_F_COMPAT;
}
