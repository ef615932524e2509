// SPDX-License-Identifier: GPL-2.0
/* struct_size_t() (6.5). */
#include <linux/build_bug.h>
#include <linux/overflow.h>

struct lnvme_probe_s {
	int n;
	int a[];
};

static size_t __maybe_unused lnvme_probe(void)
{
	return struct_size_t(struct lnvme_probe_s, a, 4);
}
