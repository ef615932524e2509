# SPDX-License-Identifier: GPL-2.0
# scripts/bench/bars.gp: clustered bars, one cluster per job (or latency
# percentile), one bar per driver (lnvme, nvme, null_blk), the median with a
# min-max error bar.  Data: scripts/bench/report.py's plot/*.dat
# (label, then median min max for each of the three targets; "?" = missing).
#
#   gnuplot -e "dat='plot/iops.dat'; out='iops.png'; ttl='...'; ylab='IOPS'; logy=0" bars.gp
if (!exists("logy")) logy = 0
set terminal pngcairo size 1100,600 noenhanced font "sans,10"
set output out
set title ttl
set ylabel ylab
set datafile missing "?"
set style data histograms
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right
set xtics rotate by -20 scale 0
set bars 0.6
if (logy) { set logscale y } else { set yrange [0:*] }
plot dat using 2:3:4:xtic(1) title "lnvme" lc rgb "#1f77b4", \
     ''  using 5:6:7 title "nvme (in-kernel)" lc rgb "#ff7f0e", \
     ''  using 8:9:10 title "null_blk (ceiling)" lc rgb "#7f7f7f"
