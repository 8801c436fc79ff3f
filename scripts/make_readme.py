#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (the notebook is the source; `nbdev_readme` would need Quarto).

Markdown cells are copied as they are; code cells become fenced Python blocks; cells whose first line is
`#| hide` are left out. `--check` exits 1 if README.md is out of date (CI runs it).
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path=root/'nbs'/'index.ipynb') -> str:
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    parts = ['<!-- Generated from nbs/index.ipynb by scripts/make_readme.py: edit the notebook, not this file. -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if not src or src.lstrip().startswith('#| hide') or src.lstrip().startswith('#|hide'): continue
        parts.append(src if c['cell_type'] == 'markdown' else f"```python\n{src}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, out = render(), root/'README.md'
    if '--check' in sys.argv[1:]:
        if not out.exists() or out.read_text(encoding='utf-8') != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run python scripts/make_readme.py")
        print('README.md is up to date')
    else:
        out.write_text(text, encoding='utf-8'); print(f'wrote {out}')
