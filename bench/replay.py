#!/usr/bin/env python3
"""Replays JSON Lines corpora as more articles: copies 1..N-1 of every record, each with a
distinct URL (`/replay-<copy>` appended), on stdout, for `newsgraph import -`.

Usage: bench/replay.py TIMES FILE.jsonl...   (TIMES 10: nine more copies, 10x in all)
"""

import json
import sys

times = int(sys.argv[1])
for copy in range(1, times):
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                record["url"] = record["url"].rstrip("/") + f"/replay-{copy}"
                print(json.dumps(record))
