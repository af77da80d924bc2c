"""One line from a wrk --latency report: "rps p50_ms p99_ms non2xx", and the share of CPU
time the hypervisor stole during the run when given /proc/stat CPU times from before and
after it ("... steal_percent").

    python3 bench/wrk/summary.py WRK_OUTPUT [CPU_TIMES_BEFORE CPU_TIMES_AFTER]
"""
import re
import sys

text = open(sys.argv[1]).read()


def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
line = f"{rps:.0f} {ms('50'):.2f} {ms('99'):.2f} {errors.group(1) if errors else 0}"
if len(sys.argv) == 4:
    before, after = ([int(x) for x in arg.split()] for arg in sys.argv[2:4])
    spent = [b - a for a, b in zip(before, after)]
    line += f" {100 * spent[7] / max(1, sum(spent)):.1f}"
print(line)
