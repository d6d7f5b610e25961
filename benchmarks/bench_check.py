"""Time ``brief check --aligned``'s work on 10,000 aligned pairs (the dev set's clean pairs, repeated).

Usage: python benchmarks/bench_check.py [--pairs N] [--dev PATH]

Reports the time to extract and compare the figures of N pairs in one process (the library path that
``brief check SOURCE TRANSLATION --aligned`` runs), the time for the full command on files of N lines, and
(with ``--document-lines K``, default 3000) the time and peak memory of whole-document mode (no
``--aligned``) on K source lines whose English puts three segments in a paragraph.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.figures import check_documents, check_files, check_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "figcheck-dev.tsv")
    parser.add_argument("--document-lines", type=int, default=3000, help="0 to skip document mode")
    args = parser.parse_args(argv)
    with open(args.dev, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    source = [rows[i % len(rows)]["zh"] for i in range(args.pairs)]
    target = [rows[i % len(rows)]["en_clean"] for i in range(args.pairs)]

    t0 = time.perf_counter()
    segments = check_lines(source, target)
    library = time.perf_counter() - t0
    flagged = sum(1 for s in segments if s.result.issues)
    print(f"check_lines: {args.pairs} pairs in {library:.2f} s ({args.pairs / library:,.0f} pairs/s), "
          f"{flagged} flagged")

    with tempfile.TemporaryDirectory() as folder:
        s_path, t_path = Path(folder) / "source.txt", Path(folder) / "target.txt"
        s_path.write_text("\n".join(source) + "\n", encoding="utf-8")
        t_path.write_text("\n".join(target) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        report = check_files(str(s_path), str(t_path), aligned=True)
        files = time.perf_counter() - t0
    print(f"check_files --aligned: {len(report.segments)} lines in {files:.2f} s")

    k = args.document_lines
    if k:
        document = "\n".join(source[:k])
        english = "\n".join(" ".join(target[i:i + 3]) for i in range(0, min(k, len(target)), 3))
        t0 = time.perf_counter()
        segments = check_documents(document, english)
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        print(f"check_documents: {k} source lines in {seconds:.2f} s, "
              f"{sum(1 for s in segments if s.result.issues)} flagged; peak memory of the process {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
