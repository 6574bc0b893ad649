"""One run of the export bench in a process of its own: ``python -m benchmarks.export_child <case> <workspace id>
<user id>`` prints its time and memory as one JSON line (see ``benchmarks.exports``)."""

import json
import sys

import django

if __name__ == "__main__":
    django.setup()
    from benchmarks.exports import child

    print(json.dumps(child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
