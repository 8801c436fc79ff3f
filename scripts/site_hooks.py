"""mkdocs hooks for the book's site (named in the mkdocs.yml that scripts/build_site.py writes).

* Table of contents: mkdocs-jupyter derives a page's TOC from a markdown export whose anchors need not match the ids
  nbconvert gives the headings (and it leaves out the API reference, whose headings are `show_doc` outputs). The TOC is
  rebuilt here from the rendered headings (levels 1-3), so every entry points at a real id; the page title (in the
  navigation) is the first heading as plain text (`# \`python -m ntksap\`` showed as an empty entry).
* MathJax 2.7 comes from the `jupyter-server-mathjax` wheel, which ships the STIX-Web fonts only: it is told so
  before it loads (otherwise it asks for TeX fonts that are not there).
* nbconvert's JupyterLab template always emits a loader for Mermaid from cdnjs (used only when a page has a mermaid
  diagram; the book has none). The site must work offline and reference no CDN, so such a script is dropped.
* nbdev links a method to `page.html#class.method`, but its `show_doc` cells document classes and functions only:
  after the build, a link to a missing `#a.b` anchor is pointed at `#a` (the class) when that exists. Headings get
  lower-case ids here, while Jupyter keeps the case (`#Attaching-masks`): such a link is pointed at the lower-case id.
"""
import re
from html import unescape
from pathlib import Path

_re_h = re.compile(r'<h([1-6])\b[^>]*?\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_re_cdn_script = re.compile(r'<script\b[^>]*>(?:(?!</script>).)*?https?://cdn[^"\']*(?:(?!</script>).)*?</script>', re.S)
_re_mathjax = re.compile(r'<script\b[^>]*\bsrc="[^"]*MathJax\.js[^"]*"')
# STIX-Web: the only fonts in the wheel. assistiveMML off: its hidden MathML asks for TeX fonts (\\mathcal) that are not
# there. MathJax_Blank (its fallback while a web font loads) is an @font-face at about:blank, which Chromium logs as an
# error: a local() source does the same without a request.
# The message hooks collect TeX and processing errors for scripts/check_site.py (window.__mathjax_errors).
MATHJAX_CONFIG = ('''<script>window.__mathjax_errors = []; window.MathJax = {
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
               styles: {"@font-face": {"font-family": "MathJax_Blank", src: "local('MathJax_Blank')"}}},
  menuSettings: {zoom: "None", assistiveMML: false},
  AuthorInit: function () {
    ["TeX Jax - parse error", "Math Processing Error", "file failed to load"].forEach(function (k) {
      MathJax.Hub.Register.MessageHook(k, function (m) { window.__mathjax_errors.push(k + ": " + String(m[1] || m[0])); }); });
  }};</script>
''')

def on_page_content(html, page, config, files, **kw):
    if not page.file.src_path.endswith('.ipynb'): return html
    from mkdocs.structure.toc import get_toc
    tokens, stack = [], []
    for lvl, hid, inner in _re_h.findall(html):
        lvl = int(lvl)
        if lvl > 3: continue
        name = re.sub(r'<[^>]+>', '', inner).replace('¶', '').strip()
        tok = {'level': lvl, 'id': hid, 'name': name, 'children': []}
        while stack and stack[-1]['level'] >= lvl: stack.pop()
        (stack[-1]['children'] if stack else tokens).append(tok)
        stack.append(tok)
    page.toc = get_toc(tokens)
    if tokens and tokens[0]['level'] == 1:     # the chapter's title as plain text (the nav shows no markup)
        page.title = unescape(tokens[0]['name'])
    return html

def on_post_page(output, page, config, **kw):
    output = _re_cdn_script.sub('', output)
    m = _re_mathjax.search(output)
    if m: output = output[:m.start()] + MATHJAX_CONFIG + output[m.start():]
    return output

_re_href = re.compile(r'href="([\w.-]+\.html)#([^"]+)"')
_re_ids = re.compile(r'\b(?:id|name)="([^"]+)"')

def on_post_build(config, **kw):
    site = Path(config['site_dir'])
    pages = {p.name: p for p in site.glob('*.html')}
    ids = {n: set(_re_ids.findall(p.read_text(encoding='utf-8'))) for n, p in pages.items()}
    def fix(m):
        target, frag = m[1], m[2]
        if target not in ids or frag in ids[target]: return m[0]
        if frag.lower() in ids[target]: return f'href="{target}#{frag.lower()}"'   # Jupyter's `#Attaching-masks`
        up = frag.rsplit('.', 1)[0].lower()
        return f'href="{target}#{up}"' if '.' in frag and up in ids[target] else m[0]
    for n, p in pages.items():
        s = p.read_text(encoding='utf-8')
        t = _re_href.sub(fix, s)
        if t != s: p.write_text(t, encoding='utf-8')
