#!/usr/bin/env python
"""Execute the book: run every chapter top to bottom in a real Jupyter kernel and save it with its outputs.

    python scripts/execute_book.py                 # every chapter in nbs/ (two at a time)
    python scripts/execute_book.py 04_pruners      # some chapters (names or globs, with or without .ipynb)
    python scripts/execute_book.py --check         # CI: fail, one line per chapter, if a chapter's outputs are stale

Cells flagged `slow` or `notest` (settings.ini's `tst_flags`) are not run and keep no output, as in `nbdev_test`.
Outputs are kept small and stable: no progress bars (TQDM_DISABLE), figures as PNG at 150 dpi (sharp on the site),
long tables truncated, no absolute paths of this machine. A cell that raises stops the chapter and nothing is
saved. Each executed chapter records the SHA-256 of its code cells in its metadata (`ntksap.code_sha256`), so
`--check` can tell a chapter whose code changed since its outputs were made.
"""
import argparse, hashlib, json, os, re, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
META_KEY = 'ntksap'
KERNELSPEC = dict(name='python3', display_name='python3', language='python')
# run silently before the first cell: small, stable figures and tables
SETUP = """
import warnings as _w
_w.filterwarnings('ignore', category=FutureWarning)      # library deprecation notices are not the chapter's output
_w.filterwarnings('ignore', message='IProgress not found')
del _w
%config InlineBackend.figure_formats = ['png']
%config InlineBackend.rc = {'figure.dpi': 150, 'savefig.dpi': 150, 'figure.figsize': (6.4, 4.0), 'font.size': 10}
import pandas as _pd
_pd.set_option('display.max_rows', 24); _pd.set_option('display.min_rows', 12); _pd.set_option('display.width', 120)
del _pd
"""
# absolute paths that must not reach a committed output
_ABS_PATH = re.compile(r'(/work/|/root/|/home/|/tmp/|/private/var/|[A-Za-z]:\\\\Users)')


def skip_flags() -> list:
    "The flags whose cells the tests skip (settings.ini's `tst_flags`)."
    for line in (ROOT/'settings.ini').read_text().splitlines():
        if line.replace(' ', '').startswith('tst_flags='): return line.split('=', 1)[1].split()
    return ['notest', 'slow']


def _source(cell) -> str:
    s = cell.get('source', '')
    return ''.join(s) if isinstance(s, list) else s


def is_skipped(cell, flags) -> bool:
    "Whether a code cell carries one of `flags` (`#| slow`) or `#| eval: false`, as nbdev's directives."
    for line in _source(cell).splitlines():
        m = re.match(r'\s*#\|\s*(.*)', line)
        if not m: continue
        words = m.group(1).replace(':', ' ').split()
        if set(words) & set(flags) or words[:2] == ['eval', 'false']: return True
    return False


def code_sha256(nb) -> str:
    "SHA-256 of the kernel's setup and of the chapter's code cells, in order (markdown does not change outputs)."
    h = hashlib.sha256(SETUP.encode() + b'\x00')
    for c in nb['cells']:
        if c['cell_type'] == 'code': h.update(_source(c).encode() + b'\x00')
    return h.hexdigest()


def chapters(names) -> list:
    "The notebooks to run: all of nbs/*.ipynb, or those matching `names`."
    every = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    if not names: return every
    out = []
    for n in names:
        n = n if n.endswith('.ipynb') else n + '.ipynb'
        hit = sorted(NBS.glob(Path(n).name))
        if not hit: sys.exit(f"execute_book: no chapter matches {n!r} in nbs/")
        out += [h for h in hit if h not in out]
    return out


def _scrub_text(s:str) -> str:
    "Remove this machine's paths from an output text."
    s = s.replace(str(ROOT) + os.sep, '').replace(str(ROOT), '.')
    s = re.sub(re.escape(tempfile.gettempdir()) + r'/[^\s\'"/]+', '<tmp>', s)
    s = s.replace(str(Path.home()), '~')
    return re.sub(r'\x1b\[[0-9;]*m', '', s)   # ANSI colours


def scrub(nb):
    "Make outputs stable: no machine paths, no carriage-return progress debris."
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        keep = []
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream':
                text = _source(dict(source=o['text']))
                if '\r' in text: text = '\n'.join(l.split('\r')[-1] for l in text.split('\n'))
                text = _scrub_text(text)
                if not text.strip(): continue
                o['text'] = text
            for k, v in list(o.get('data', {}).items()):
                if k.startswith('text/'): o['data'][k] = _scrub_text(_source(dict(source=v)))
            if keep and o.get('output_type') == 'stream' and keep[-1].get('output_type') == 'stream' \
                    and keep[-1].get('name') == o.get('name'):
                keep[-1]['text'] = _source(dict(source=keep[-1]['text'])) + o['text']   # one block, however it was flushed
                continue
            keep.append(o)
        c['outputs'] = keep
    return nb


def execute(path:Path, timeout:int=900) -> tuple:
    "Run one chapter in a fresh kernel; save it only if every cell succeeded. Returns (name, seconds, error or None)."
    import nbformat
    from nbclient import NotebookClient
    t0 = time.time()
    nb = nbformat.read(path, as_version=4)
    flags = skip_flags()
    nb.metadata['kernelspec'] = KERNELSPEC
    env_before = dict(os.environ)
    os.environ.update(TQDM_DISABLE='1', OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'), MPLBACKEND='module://matplotlib_inline.backend_inline',
                      PYTHONWARNINGS=os.environ.get('PYTHONWARNINGS', 'ignore::DeprecationWarning'))
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', resources=dict(metadata=dict(path=str(NBS))))
    try:
        nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP))   # run first, then taken out again
        with client.setup_kernel():
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != 'code': continue
                if i == 0:
                    client.execute_cell(cell, 0)
                    continue
                if is_skipped(cell, flags):
                    cell.outputs = []
                    continue
                client.execute_cell(cell, i)
    except Exception as e:
        msg = str(e).strip().splitlines()
        last = next((l for l in reversed(msg) if l.strip()), type(e).__name__)
        return path.name, time.time() - t0, _scrub_text(last)[:300]
    finally:
        os.environ.clear(); os.environ.update(env_before)
        if nb.cells and _source(nb.cells[0]) == SETUP: nb.cells.pop(0)
    scrub(nb)
    nb.metadata[META_KEY] = dict(code_sha256=code_sha256(nb))
    _clean_and_write(nb, path)
    return path.name, time.time() - t0, None


def _clean_and_write(nb, path:Path):
    "Write with nbdev_clean's rules (so `nbdev_clean` leaves no diff)."
    from nbdev.clean import _nbdev_clean
    from nbdev.sync import write_nb
    import nbformat
    d = json.loads(nbformat.writes(nb))
    _nbdev_clean(d, path=None)
    tmp = path.with_suffix('.ipynb.tmp')
    write_nb(d, tmp)
    os.replace(tmp, path)


def check(paths) -> list:
    "One line per chapter whose committed outputs cannot be the current code's."
    flags, problems = skip_flags(), []
    for p in paths:
        nb = json.loads(p.read_text(encoding='utf-8'))
        runnable = [c for c in nb['cells'] if c['cell_type'] == 'code' and _source(c).strip() and not is_skipped(c, flags)]
        if not runnable: continue
        outs = [o for c in runnable for o in c.get('outputs', [])]
        rec = nb.get('metadata', {}).get(META_KEY, {}).get('code_sha256')
        if not outs:
            problems.append(f"{p.name}: has code but no outputs; run: python scripts/execute_book.py {p.stem}")
        elif rec != code_sha256(nb):
            problems.append(f"{p.name}: code changed since its outputs were made; run: python scripts/execute_book.py {p.stem}")
        elif any(o.get('output_type') == 'error' for o in outs):
            problems.append(f"{p.name}: a committed output is an error; fix the cell and run: python scripts/execute_book.py {p.stem}")
        else:
            texts = [_source(dict(source=o.get('text', ''))) for o in outs]
            texts += [_source(dict(source=v)) for o in outs for k, v in o.get('data', {}).items() if k.startswith('text/')]
            bad = next((m.group(0) for t in texts for m in [_ABS_PATH.search(t)] if m), None)
            if bad: problems.append(f"{p.name}: an output shows a machine path ({bad}...); print relative paths, then re-execute")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('chapters', nargs='*', help='chapter names or globs (default: every notebook in nbs/)')
    ap.add_argument('--check', action='store_true', help='only check that committed outputs are current (for CI)')
    ap.add_argument('--workers', type=int, default=2, help='chapters run at once (each in its own kernel)')
    a = ap.parse_args()
    paths = chapters(a.chapters)
    if a.check:
        problems = check(paths)
        for line in problems: print(line)
        print(f"book outputs: {len(paths)} chapters checked, {len(problems)} stale")
        sys.exit(1 if problems else 0)
    t0, failed = time.time(), 0
    with ProcessPoolExecutor(max_workers=max(1, a.workers)) as pool:
        for name, secs, err in pool.map(execute, paths):
            failed += err is not None
            print(f"{'FAIL' if err else 'ok  '}  {name:<28} {secs:6.1f} s" + (f"  {err}" if err else ''), flush=True)
    print(f"executed {len(paths) - failed} of {len(paths)} chapters in {time.time() - t0:.0f} s")
    sys.exit(1 if failed else 0)


if __name__ == '__main__': main()
