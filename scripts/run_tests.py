#!/usr/bin/env python
"""Run every notebook's tests (as `nbdev_test` does) and end with one line: `N passed, M failed`.

`nbdev_test` exits 1 on failure but prints no count; this wrapper uses nbdev's own `test_nb` on each
notebook in parallel, prints each notebook's result and time, and counts notebooks honestly.
Usage: python scripts/run_tests.py [--flags slow] [--path GLOB] [--n_workers N]
"""
import argparse, os, sys, time
from pathlib import Path
from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.test import test_nb

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--flags', default='', help='test flags to run that are normally skipped, e.g. "slow"')
    ap.add_argument('--path', default='*.ipynb', help='glob of notebooks under nbs/ (default: all)')
    ap.add_argument('--n_workers', type=int, default=min(os.cpu_count() or 1, 2))
    a = ap.parse_args()
    cfg = get_config()
    files = sorted(p.absolute() for p in Path(cfg.nbs_path).glob(a.path) if not p.name.startswith(('_', '.')))
    if not files: sys.exit(f"no notebooks match {a.path!r} in {cfg.nbs_path}")
    skip, force = cfg.tst_flags.split(), a.flags.split()
    os.chdir(cfg.nbs_path)
    t0 = time.time()
    res = parallel(test_nb, files, skip_flags=skip, force_flags=force, basepath=cfg.config_path,
                   n_workers=a.n_workers if len(files) > 1 else 0, pause=0.01)
    for f, (ok, t) in zip(files, res): print(f"{'PASS' if ok else 'FAIL'}  {f.name:<28} {t:6.1f} s")
    n_ok = sum(ok for ok, _ in res)
    print(f"total {time.time() - t0:.0f} s")
    print(f"{n_ok} passed, {len(files) - n_ok} failed")
    sys.exit(0 if n_ok == len(files) else 1)

if __name__ == '__main__': main()
