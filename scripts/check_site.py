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
  request that leaves the site (a CDN): the browser check runs offline and the site must not need one.
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
  return {
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
    stats = dict(pages=0, images=0, links=0, external=0, anchors=0, outputs=0, math=0)
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
            ctx = await browser.new_context(service_workers='block')
            sem = asyncio.Semaphore(tabs)
            await asyncio.gather(*(visit(ctx, n, sem) for n in pages))
            await browser.close()
    try:
        asyncio.run(run())
    finally:
        httpd.shutdown()
    seen = set()
    for name, href, nav in links:
        u = urlsplit(href)
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
        print(f"site check: {s['pages']} pages, {s['images']} images, {s['links']} links ({s['anchors']} anchors) checked, "
              f"{s['outputs']} cell outputs, {s['math']} math expressions typeset, {s['external']} external links "
              f"not followed, {len(problems)} failures ({s['seconds']} s)")
    else: print(f'site check: {len(problems)} failures')
    sys.exit(1 if problems else 0)
