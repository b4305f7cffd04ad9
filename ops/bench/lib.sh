# Shared by the benchmarks that run EventSwarm and Docker Swarm in one run (secrets.sh, update.sh).

# compare_table WIDTH EVENTSWARM_TSV SWARM_TSV: one row per figure (the second column of each "system<TAB>figure<TAB>value"
# line), in the order first seen, with both values and EventSwarm / Docker Swarm when both are numbers.
compare_table() {
  local width=$1
  printf "%-${width}s %11s %13s %7s\n" figure EventSwarm "Docker Swarm" ratio
  awk -F'\t' -v es="$2" -v sw="$3" -v width="$width" '
    BEGIN {
      while ((getline line < es) > 0) { split(line, f, "\t"); order[++n] = f[2]; e[f[2]] = f[3] }
      while ((getline line < sw) > 0) { split(line, f, "\t"); if (!(f[2] in e)) order[++n] = f[2]; s[f[2]] = f[3] }
      for (i = 1; i <= n; i++) {
        k = order[i]; a = (k in e) ? e[k] : "-"; b = (k in s) ? s[k] : "-"
        r = (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) ? sprintf("%.2f", a / b) : "-"
        printf "%-" width "s %11s %13s %7s\n", k, a, b, r
      }
    }'
}
