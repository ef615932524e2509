#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module builds with W=1 and sparse (C=2) without a single warning, and
# checkpatch --strict is clean on every C source and header: scripts/lint.sh.
# timeout: 900
set -eu
cd "$TOP"
scripts/lint.sh
