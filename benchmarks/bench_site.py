"""How heavy the built site is: the size of `_build/html` and its largest files.

Usage: python benchmarks/bench_site.py [--top N] [--json]

Run after `make book` (or `make html`). A teacher who zips `_build/html` hands out all of
it, so it should hold only what a page loads (target: <= 12 MB). Figures only; nothing
here is a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
TARGET_MB = 12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15, help="how many of the largest files")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()
    if not (SITE / "index.html").exists():
        print(f"{SITE.relative_to(ROOT)} is not built: run `make book` first", file=sys.stderr)
        return 1
    files = [(f.stat().st_size, f.relative_to(SITE).as_posix())
             for f in SITE.rglob("*") if f.is_file()]
    files.sort(reverse=True)
    total = sum(size for size, _ in files)
    folders: dict[str, int] = {}
    for size, path in files:
        top = path.split("/")[0] if "/" in path else "."
        if path.startswith("_static/vendor/"):
            top = "/".join(path.split("/")[:3])
        folders[top] = folders.get(top, 0) + size
    if args.json:
        print(json.dumps({"total_bytes": total, "files": len(files), "folders": folders,
                          "largest": [{"path": p, "bytes": s} for s, p in files[:args.top]]},
                         indent=2))
        return 0
    print(f"{SITE.relative_to(ROOT)}: {total / 1e6:.2f} MB in {len(files)} files "
          f"(target <= {TARGET_MB} MB)")
    print(f"\n{'folder':40} {'MB':>7}")
    for folder, size in sorted(folders.items(), key=lambda kv: -kv[1]):
        print(f"{folder:40} {size / 1e6:7.2f}")
    print(f"\nthe {args.top} largest files")
    print(f"{'file':72} {'MB':>7}")
    for size, path in files[:args.top]:
        print(f"{path:72} {size / 1e6:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
