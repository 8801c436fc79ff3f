#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (the notebook is the source; `nbdev_readme` would need Quarto).

Markdown cells are copied with their relative links and images rebased from nbs/ to the repository's root
(`[masks](01_masks.ipynb)` -> `nbs/01_masks.ipynb`), and a Quarto figure, `![caption](file.png){fig-alt="..."}`,
becomes an image with its alt text and the caption below it; code cells become fenced Python blocks; cells whose
first line is `#| hide` are left out. `--check` exits 1 if README.md is out of date (CI runs it).
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

_re_fig = re.compile(r'!\[([^\]]+)\]\(([^)\s]+)\)\{fig-alt="([^"]+)"\}')
_re_rel = re.compile(r'(\]\()(?![a-z][a-z0-9+.-]*:|/|#)([^)\s]+\))')
_re_code = re.compile(r'(```.*?```|`[^`\n]*`)', re.S)

def rebase(md: str) -> str:
    "Markdown written from nbs/ made right from the repository's root (outside code spans and blocks)."
    def text(t):
        t = _re_fig.sub(lambda m: f'![{m[3]}]({m[2]})\n\n*Figure: {m[1]}*', t)
        return _re_rel.sub(lambda m: m[1] + 'nbs/' + m[2], t)
    return ''.join(q if i % 2 else text(q) for i, q in enumerate(_re_code.split(md)))

def render(nb_path=root/'nbs'/'index.ipynb') -> str:
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    parts = ['<!-- Generated from nbs/index.ipynb by scripts/make_readme.py: edit the notebook, not this file. -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if not src or src.lstrip().startswith('#| hide') or src.lstrip().startswith('#|hide'): continue
        parts.append(rebase(src) if c['cell_type'] == 'markdown' else f"```python\n{src}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, out = render(), root/'README.md'
    if '--check' in sys.argv[1:]:
        if not out.exists() or out.read_text(encoding='utf-8') != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run python scripts/make_readme.py")
        print('README.md is up to date')
    else:
        out.write_text(text, encoding='utf-8'); print(f'wrote {out}')
