#!/usr/bin/env python
"""Check the built book (`_site/`, from scripts/build_site.py) in a real browser: headless Chromium opens every page.

    python scripts/check_site.py [--site _site] [--chromium /usr/bin/chromium]

The site is served on a localhost port; Playwright drives the system's Chromium (it never downloads a browser).
One line per problem, naming the page, then a summary; exit 1 on any problem:

* a chapter notebook of nbs/ without its page, or a page in the navigation that is missing (404);
* an `<img>` that did not load (naturalWidth 0), markdown images and PNG outputs alike;
* an internal link to a missing page, or to a `#anchor` that the target page does not have;
* a cell output that shows an error (nbconvert renders error outputs and stderr as
  `.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]`; a block in it that holds a
  traceback or an `...Error:`/`...Exception:` line is an error, a warning is not);
* MathJax (shipped inside the site) not loaded, or a TeX error, on a page that has math;
* a JavaScript error or console error, a failed request or HTTP error for the site's own files, or any
  request that leaves the site (a CDN): the browser check runs offline and the site must not need one;
* at a 1280 px wide window: an element of the text that reaches past the text column (a wide table must scroll
  inside it), or a code block (a cell's code or a signature) that scrolls sideways (its lines must show whole);
* a figure without alt text (or with nbconvert's "No description has been provided") or without a caption;
* a link to the project's own repository or documentation host (settings.ini's `git_url` and `doc_host`) when the
  site was built without --source-links: those hosts hold no published project, so such a link is a dead end;
* a navigation that is not grouped into the book's parts, or a chapter page outside them.
"""
import argparse, asyncio, functools, http.server, re, sys, threading, time
from pathlib import Path
from urllib.parse import urljoin, urlsplit, unquote

root = Path(__file__).resolve().parent.parent
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--disable-dev-shm-usage']

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

def serve(site: Path):
    "Serve `site` on 127.0.0.1 (a free port) in a daemon thread; returns the base URL and the server."
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f'http://127.0.0.1:{httpd.server_address[1]}/', httpd

# Runs in the page once it has loaded: waits for images and MathJax, then reports what the check needs.
PAGE_JS = r"""async () => {
  const imgs = [...document.images];
  await Promise.all(imgs.map(i => { i.loading = 'eager';
    return i.complete ? null : new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 10000); }); }));
  const hasMJ = !!document.querySelector('script[src*="MathJax.js"]');
  let mj = null;
  if (hasMJ) {
    mj = await new Promise(r => {
      const t0 = Date.now();
      const poll = () => {
        if (window.MathJax && MathJax.Hub && MathJax.isReady) MathJax.Hub.Queue(() => r('ready'));
        else if (Date.now() - t0 > 60000) r(window.MathJax ? 'not ready' : 'not loaded');
        else setTimeout(poll, 50);
      };
      poll();
    });
  }
  const outs = [...document.querySelectorAll('.jp-OutputArea-output')];
  const errRe = /Traceback \(most recent call last\)|^\s*([\w.]+\.)?\w*(Error|Exception)\b.*?:|^\s*Cell In\[\d+\], line \d+/m;
  const errors = outs.filter(o => {
      const t = o.innerText || '';
      return /Traceback \(most recent call last\)/.test(t) ||
             (o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr' && errRe.test(t)); })
    .map(o => (o.innerText || '').trim().split('\n').filter(Boolean).slice(-1)[0] || '(empty)');
  const col = document.querySelector('article.md-content__inner') || document.querySelector('article');
  const colR = col ? col.getBoundingClientRect() : null;
  const scrolls = e => { for (let a = e.parentElement; a && a !== col; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX; if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') return true; }
    return false; };
  const wide = [];
  if (col) for (const e of col.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > colR.right + 2 && !scrolls(e))
      wide.push(e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '')
                + ` (${Math.round(r.right - colR.right)} px past the column)`);
  }
  const isCode = p => p.closest('.jp-InputArea, .jp-CodeCell .jp-Cell-inputWrapper, .highlight, .language-python, .jp-RenderedMarkdown')
                      && !p.closest('.jp-OutputArea-output pre:not(.highlight)') ;
  const codeScroll = [...(col ? col.querySelectorAll('pre') : [])].filter(p => isCode(p) && p.scrollWidth > p.clientWidth + 1)
    .map(p => (p.innerText.split('\n').reduce((a, l) => l.length > a.length ? l : a, '')).trim().slice(0, 80)
              + ` (${p.scrollWidth - p.clientWidth} px hidden)`);
  const figs = [...(col ? col.querySelectorAll('img') : [])].map(i => {
    const f = i.closest('figure'); const cap = f && f.querySelector('figcaption');
    return {src: (i.currentSrc || i.src).slice(0, 80), alt: i.getAttribute('alt') || '',
            caption: cap ? cap.innerText.trim() : ''}; });
  const navParts = [...document.querySelectorAll('.md-nav--primary > .md-nav__list > .md-nav__item--section')]
    .map(s => ({name: (s.querySelector(':scope > label, :scope > .md-nav__link') || s).innerText.trim().split('\n')[0],
                pages: [...s.querySelectorAll('a.md-nav__link[href]')].map(a => new URL(a.href).pathname.replace(/^\//, ''))}));
  return {
    wide: wide.slice(0, 5), nwide: wide.length, codeScroll: codeScroll, figs: figs, navParts: navParts,
    title: document.title,
    images: imgs.map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
    links: [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, nav: !!a.closest('nav, .md-footer')})),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id).concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
    math: {script: hasMJ, state: mj,
           n: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_SVG, mjx-container').length,
           texErrors: (window.__mathjax_errors || []).concat([...document.querySelectorAll('.MathJax .merror, .MathJax_Error')]
                        .map(e => 'TeX error: ' + (e.innerText || '').trim())),
           dollars: [...document.querySelectorAll('.jp-MarkdownOutput, .jp-RenderedMarkdown')].some(e => /\$[^$\s][^$]*\$/.test(e.innerText || ''))},
    errors: errors, outputs: outs.length,
  };
}"""

def site_file(site: Path, path: str):
    "The file that serves URL path `path` (a folder serves its index.html), or None."
    p = site/unquote(path).lstrip('/')
    if p.is_dir(): p = p/'index.html'
    return p if p.is_file() else None

def expected_pages(nbs: Path):
    "Page names for the book's notebooks, as scripts/build_site.py names them (nbdev's names)."
    return {p.name: re.sub(r'^\d+[a-zA-Z0-9]*_', '', p.name.lower())[:-6] + '.html'
            for p in nbs.glob('*.ipynb') if not p.name.startswith(('.', '_'))}

def dead_hosts() -> list:
    "`host/path` prefixes of settings.ini's `git_url` and `doc_host`+`doc_baseurl`: the project publishes neither."
    from configparser import ConfigParser
    cfg = ConfigParser(delimiters=['='])
    cfg.read(root/'settings.ini', encoding='utf-8')
    d = cfg['DEFAULT']
    urls = [d.get('git_url', ''), d.get('doc_host', '') + d.get('doc_baseurl', '')]
    return [urlsplit(u).netloc + urlsplit(u).path.rstrip('/') for u in urls if u]

def check(site: Path, chromium: str, nbs: Path = None, timeout_ms: int = 90000, verbose: bool = False, tabs: int = 3):
    from playwright.async_api import async_playwright
    t0 = time.time()
    problems, site = [], site.resolve()
    if not (site/'index.html').is_file(): return [f'{site}: no index.html (build the site first)'], {}
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html'))
    if nbs and nbs.is_dir():
        for nb, page in sorted(expected_pages(nbs).items()):
            if not (site/page).is_file(): problems.append(f'{page}: missing page for nbs/{nb}')
    base, httpd = serve(site)
    origin = urlsplit(base).netloc
    stats = dict(pages=0, images=0, figures=0, links=0, external=0, anchors=0, outputs=0, math=0)
    nav_parts = []
    ids, links = {}, []                          # page -> its ids; (page, href, nav) to check after the visits
    async def visit(ctx, name, sem):
        async with sem:
            page = await ctx.new_page()
            page.set_default_timeout(timeout_ms)
            def problem(msg): problems.append(f'{name}: {msg}')
            def on_request(req):
                u = urlsplit(req.url)
                if u.scheme in ('http', 'https', 'ws', 'wss') and u.netloc != origin:
                    problem(f'requests a URL outside the site (the site must work offline): {req.url}')
            async def route(r):   # never wait on the network for something outside the site
                u = urlsplit(r.request.url)
                if u.scheme in ('http', 'https') and u.netloc != origin: await r.abort()
                else: await r.continue_()
            await page.route('**/*', route)
            page.on('request', on_request)
            # ERR_ABORTED: a request cut short when the page closes (a missing file is an HTTP 404 below)
            page.on('requestfailed', lambda req: urlsplit(req.url).netloc == origin and 'ERR_ABORTED' not in (req.failure or '')
                    and problem(f'request failed: {req.url} ({req.failure})'))
            page.on('response', lambda r: urlsplit(r.url).netloc == origin and r.status >= 400 and
                    problem(f'HTTP {r.status} for {r.url}'))
            page.on('console', lambda m: m.type == 'error' and not m.text.startswith('Failed to load resource') and
                    problem(f'console error: {m.text}'))
            page.on('pageerror', lambda e: problem(f'JavaScript error: {e}'))
            tp = time.time()
            resp = await page.goto(base + name, wait_until='load')
            if resp is None or resp.status != 200:
                problem(f'HTTP {resp.status if resp else "no response"}'); await page.close(); return
            info = await page.evaluate(PAGE_JS)
            await page.close()
        stats['pages'] += 1
        ids[name] = set(info['ids'])
        for im in info['images']:
            stats['images'] += 1
            if not im['ok']: problem(f"image did not load: {im['src'][:120]}")
        for e in info['errors']: problem(f'cell output shows an error: {e[:200]}')
        if info['nwide']: problem(f"{info['nwide']} element(s) reach past the text column at 1280 px: {', '.join(info['wide'])}")
        for c in info['codeScroll']: problem(f'code block scrolls sideways at 1280 px: {c}')
        for f in info['figs']:
            stats['figures'] += 1
            if not f['alt'] or f['alt'].startswith('No description has been provided'): problem(f"figure without alt text: {f['src']}")
            if not f['caption']: problem(f"figure without a caption: {f['src']}")
        nav_parts.append(info['navParts'])
        stats['outputs'] += info['outputs']
        m = info['math']
        stats['math'] += m['n']
        if m['script'] and m['state'] != 'ready': problem(f"MathJax {m['state']}")
        for e in m['texErrors']: problem(f'MathJax: {e[:200]}')
        if m['dollars'] and m['n'] == 0: problem('page has $...$ math but nothing was typeset')
        links.extend((name, l['href'], l['nav']) for l in info['links'])
        if verbose: print(f"  {name}: {time.time()-tp:.1f} s, {len(info['images'])} images, {m['n']} math", flush=True)

    async def run():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
            ctx = await browser.new_context(service_workers='block', viewport={'width': 1280, 'height': 900})
            sem = asyncio.Semaphore(tabs)
            await asyncio.gather(*(visit(ctx, n, sem) for n in pages))
            await browser.close()
    try:
        asyncio.run(run())
    finally:
        httpd.shutdown()
    # the navigation: the book's parts, every page in one of them
    parts = max(nav_parts, key=len) if nav_parts else []
    if len(parts) < 5: problems.append(f'navigation: {len(parts)} part(s); the book has at least 5 (the parts of build_site.py)')
    in_parts = {p for part in parts for p in part['pages']}
    for pg in pages:
        if parts and pg not in in_parts and pg != '404.html': problems.append(f'navigation: {pg} is in no part of the book')
    stats['parts'] = len(parts)
    # the project's own hosts: no published repository or documentation site exists at them
    dead = dead_hosts()
    seen = set()
    for name, href, nav in links:
        u = urlsplit(href)
        if u.scheme in ('http', 'https') and any((u.netloc + u.path).startswith(h) for h in dead):
            if (name, href) not in seen: problems.append(f'{name}: link to the unpublished project host {href}')
            seen.add((name, href))
            continue
        if u.scheme not in ('http', 'https') or u.netloc != origin:
            stats['external'] += u.scheme in ('http', 'https'); continue
        stats['links'] += 1
        if (name, href) in seen: continue
        seen.add((name, href))
        f = site_file(site, u.path)
        if f is None:
            problems.append(f"{name}: {'navigation ' if nav else ''}link to a missing page: {u.path}"); continue
        if u.fragment and f.suffix == '.html':
            stats['anchors'] += 1
            target = f.relative_to(site).as_posix()
            if target in ids and unquote(u.fragment) not in ids[target]:
                problems.append(f'{name}: link to a missing anchor: {u.path}#{u.fragment}')
    stats['seconds'] = round(time.time() - t0, 1)
    return problems, stats

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--site', default=str(root/'_site'))
    ap.add_argument('--nbs', default=str(root/'nbs'), help="the notebooks whose pages must exist ('' to skip)")
    ap.add_argument('--chromium', default='/usr/bin/chromium')
    ap.add_argument('--tabs', type=int, default=3, help='pages open at once (default 3)')
    ap.add_argument('-v', '--verbose', action='store_true', help='print each page as it is checked, with its time')
    a = ap.parse_args()
    problems, s = check(Path(a.site), a.chromium, Path(a.nbs) if a.nbs else None, verbose=a.verbose, tabs=a.tabs)
    for p in problems: print(p)
    if s:
        print(f"site check: {s['pages']} pages in {s.get('parts', 0)} parts, {s['images']} images ({s['figures']} figures), {s['links']} links ({s['anchors']} anchors) checked, "
              f"{s['outputs']} cell outputs, {s['math']} math expressions typeset, {s['external']} external links "
              f"not followed, {len(problems)} failures ({s['seconds']} s)")
    else: print(f'site check: {len(problems)} failures')
    sys.exit(1 if problems else 0)
