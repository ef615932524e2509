# SPDX-License-Identifier: GPL-2.0
# scripts/bench/footprint.gp: memory of one bound controller against vCPUs,
# lnvme and nvme: total MiB (left axis) and KiB per vCPU (right axis).
# Data: scripts/bench/footprint-report.py's plot/footprint.dat.
#
#   gnuplot -e "dat='plot/footprint.dat'; out='footprint.png'" footprint.gp
set terminal pngcairo size 900,550 noenhanced font "sans,10"
set output out
set title "Memory of one bound controller (MemAvailable drop, median; lower is better)"
set xlabel "vCPUs"
set ylabel "MiB"
set y2label "KiB per vCPU"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid ytics
set key top left
plot dat using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "lnvme MiB", \
     ''  using 1:3 with linespoints lw 2 pt 7 lc rgb "#ff7f0e" title "nvme MiB", \
     ''  using 1:4 axes x1y2 with linespoints dt 2 pt 6 lc rgb "#1f77b4" title "lnvme KiB/vCPU", \
     ''  using 1:5 axes x1y2 with linespoints dt 2 pt 6 lc rgb "#ff7f0e" title "nvme KiB/vCPU"
