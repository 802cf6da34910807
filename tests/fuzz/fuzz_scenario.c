// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the scenario loader (bench/scenario_load.c, scenario_load_buffer) on any text.
 * It must return 0 or -EINVAL (-ENOMEM aside), leave nothing allocated (LeakSanitizer) and
 * write diagnostics only as "name:line:col: message" lines.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/scenario.h"

static struct scenario sc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *diag = NULL;
	size_t diag_len = 0;
	FILE *err;
	int ret;

	err = open_memstream(&diag, &diag_len);
	if (!err)
		return 0;
	ret = scenario_load_buffer("fuzz.yaml", (const char *)data, size, &sc, err);
	fclose(err);
	if (ret != 0 && ret != -EINVAL && ret != -ENOMEM)
		abort();
	if (ret == -EINVAL && (!diag_len || strncmp(diag, "fuzz.yaml:", 10)))
		abort(); /* an error always says where */
	if (ret == 0 && diag_len)
		abort(); /* a loaded scenario has no error lines */
	free(diag);
	return 0;
}
