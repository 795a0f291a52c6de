"""Run the loopback fake OpenAI-compatible server (answers instantly with ``{"criteria": []}``).

    python benchmarks/fake_openai_server.py [--port 8899]

Prints the base URL on stdout, then serves until killed. Speaks chat completions, files and batches
(see ``tests/batch/fake_openai.py``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.batch.fake_openai import FakeOpenAI


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    srv = FakeOpenAI(port=args.port).start()
    print(srv.base_url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    srv.stop()


if __name__ == "__main__":
    main()
