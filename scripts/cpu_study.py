#!/usr/bin/env python
"""The reproduction chapter's CPU study: every run of it, run in parallel, resumable, collected into small CSVs.

    python scripts/cpu_study.py                       # the CIFAR-10 study and the NTK-SAP ablations (about 40 min on 2 cores)
    python scripts/cpu_study.py --study mnist5k       # the digits study (about 14 min)
    python scripts/cpu_study.py --tiny --out /tmp/x   # a 1-minute version of everything, for tests
    python scripts/cpu_study.py --study mnist5k --pruners px synflowl2 erk force grasp_it prospr phew npb mag_erk
                                                      # the nine later pruners (tag 'later'; 'newer', 'more': subsets)

Each (study, variant, pruner, seed) is one `python -m ntksap --experiment multishot` process with a fixed number of
threads (the order of float sums, hence the last digits of the results, depends on it), run as a cell of the grid
(`ntksap.grid.run_cells`, the scheduler of `ntksap grid`): finished runs are skipped, so an interrupted study
continues where it stopped, and a failed run is reported with its log's last line without stopping the others.
Results go to RESULT_DIR/<study>/multishot/<run>/ in the usual format; the collected tables go to
OUT/<study>_summary.csv (and a figure for each study); with --pruners other than the paper's seven, the file names
gain a tag (OUT/<study>_<tag>_summary.csv) and the later pruners' per-layer densities at the sparsest compression.
"""
import argparse, os, sys, time, json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ntksap.pruning import pruner_class   # each pruner's recommended T and BatchNorm mode: declared by its class

PRUNERS = ['rand', 'mag', 'snip', 'itersnip', 'grasp', 'synflow', 'NTKSAP']
# the newer pruners (nbs/05a_newer.ipynb) and the rest of the field (nbs/05b_more_pruners.ipynb), run with --pruners
NEWER = ['px', 'synflowl2', 'erk']
MORE = ['force', 'grasp_it', 'prospr', 'phew', 'npb', 'mag_erk']
# Where this study departs from a pruner's recommended T (`ntksap pruners`), for the CPU's sake: iterative SNIP costs
# T SNIPs, so the committed study ran it with T = 20 instead of its recommended 100.
STUDY_ITERATIONS = dict(itersnip=20)
COMPRESSIONS = [2, 6, 10, 14, 18]            # sparsity 36.0 / 73.8 / 89.3 / 95.6 / 98.2 %, as in the paper
SEEDS = [0, 1, 2]

MNIST5K = ['--dataset', 'mnist5k', '--model', 'conv', '--model-class', 'default', '--optimizer', 'adam', '--lr', '0.001',
           '--train-batch-size', '64', '--post-epochs', '3']
# ResNet-20 as in the paper, on a fixed 10,000-image class-balanced subset of CIFAR-10 at 16x16 pixels (4x cheaper than
# 32x32), evaluated on a fixed 2,000-image test subset; 3 epochs of the paper's SGD (lr 0.1, x0.1 for the last epoch).
CIFAR10 = ['--dataset', 'cifar10', '--image-size', '16', '--train-subset', '10000', '--test-subset', '2000',
           '--model', 'resnet20', '--model-class', 'lottery', '--optimizer', 'sgd', '--lr', '0.1', '--weight-decay', '1e-4',
           '--train-batch-size', '128', '--post-epochs', '3', '--lr-drops', '2']
# NTK-SAP ablations on the CIFAR-10 setting at the two highest sparsities; the baseline cells are the main study's.
# --ntksap_epsilon is the perturbation's standard deviation: sqrt of the paper's variance.
ABLATIONS = {
    'T=1 (one shot)': ['--prune-epoch-list', '1'],
    'fixed weights': ['--ntksap_resample', 'False'],
    'real-data inputs': ['--ntksap_inputs', 'data'],
    'R=5': ['--ntksap_R', '5'],
    'variance 1e-6': ['--ntksap_epsilon', '0.001'],
    'variance 1e-2': ['--ntksap_epsilon', '0.1'],
}
ABLATION_COMPRESSIONS = [14, 18]
OUT_NAMES = dict(mnist5k='mnist5k_conv', cifar10='cifar10_resnet20', ablations='cifar10_resnet20_ablations')
TINY = ['--train-subset', '200', '--test-subset', '100', '--post-epochs', '1', '--prune-dataset-ratio', '2']


def iterations(pruner):
    "T of `pruner` in this study: its class's recommendation unless the study departs from it (STUDY_ITERATIONS)."
    return STUDY_ITERATIONS.get(pruner, pruner_class(pruner).default_iterations)


def train_mode(pruner): return str(pruner_class(pruner).train_mode)   # BatchNorm's mode while scoring, as 'True'/'False'


def slug(text): return ''.join(c if c.isalnum() else '-' for c in text).strip('-').lower()


def jobs_of(study, seeds, tiny=False, pruners=PRUNERS):
    "The runs of `study` with `pruners` (ablations: NTK-SAP only): (run name, variant, flags, threads)."
    out = []
    if study == 'mnist5k':
        # one process per seed with every pruner, 2 threads: how the committed digits results were made
        for s in seeds:
            flags = [*MNIST5K, '--pruner-list', *pruners, '--prune-epoch-list', *[str(iterations(p)) for p in pruners],
                     '--compression-list', *map(str, COMPRESSIONS), '--seed', str(s)]
            out.append((f'seed{s}' if pruners == PRUNERS else f"{'-'.join(p.lower() for p in pruners)}-seed{s}", '', flags, 2))
    elif study == 'cifar10':
        for s in seeds:
            for p in pruners:
                flags = [*CIFAR10, '--pruner-list', p, '--prune-epoch-list', str(iterations(p)),
                         '--prune-train-mode', train_mode(p),
                         '--compression-list', *map(str, COMPRESSIONS), '--seed', str(s)]
                out.append((f'{p.lower()}-seed{s}', '', flags, 1))
    elif study == 'ablations':
        for s in seeds:
            for v, extra in ABLATIONS.items():
                flags = [*CIFAR10, '--pruner-list', 'NTKSAP', '--prune-epoch-list', str(iterations('NTKSAP')),
                         '--prune-train-mode', train_mode('NTKSAP'),
                         '--compression-list', *map(str, ABLATION_COMPRESSIONS), '--seed', str(s), *extra]
                out.append((f'{slug(v)}-seed{s}', v, flags, 1))
    else: raise SystemExit(f"cpu_study: unknown study {study!r}; valid: mnist5k, cifar10, ablations")
    if tiny:   # the same runs with much less work (later flags win); T at most 2
        shrink = lambda f: [*f, *TINY, '--compression-list', '18', '--prune-epoch-list',
                            *[str(min(int(t), 2)) for t in values_after(f, '--prune-epoch-list')]]
        out = [(n, v, shrink(f), t) for n, v, f, t in out]
    return out


def values_after(flags, option):
    "The values of the last `option` in `flags` (later flags win, as in the CLI)."
    i = len(flags) - 1 - flags[::-1].index(option)
    out = []
    for a in flags[i + 1:]:
        if a.startswith('--'): break
        out.append(a)
    return out


def expected_cells(flags):
    "How many summary records a finished run has."
    return len(values_after(flags, '--pruner-list')) * len(values_after(flags, '--compression-list'))


def finished(run_dir, flags):
    f = run_dir/'summary.json'
    return f.exists() and len(json.loads(f.read_text())) == expected_cells(flags)


class StudyCell:
    "One run of the study as a cell of the grid: the duck type `ntksap.grid.run_cells` schedules."
    kind, needs = 'run', None   # a study run needs no other run
    def __init__(self, study, expid, flags, threads, result_dir, data_dir):
        self.name, self.expid, self.flags, self.threads = f'{study}/{expid}', expid, flags, threads
        self.result_dir, self.data_dir = Path(result_dir), data_dir
        self.folder = self.result_dir/'multishot'/expid
    def argv(self):
        return ['--experiment', 'multishot', *self.flags, '--data-dir', str(self.data_dir), '--result-dir', str(self.result_dir),
                '--expid', self.expid, '--progress', 'False']   # no --overwrite: a killed run continues
    def done(self): return finished(self.folder, self.flags)


def run_on_cores(cells, cores, journal_dir, progress=True):
    """Run `cells` through the grid's scheduler: the cells of one thread count together, cores // threads at a time
    (a run with t threads takes t cores: oversubscribed cores make torch's small ops many times slower)."""
    from ntksap.grid import run_cells, LocalLauncher
    status = {}
    for threads in sorted({c.threads for c in cells}, reverse=True):
        group = [c for c in cells if c.threads == threads]
        status |= run_cells(group, LocalLauncher(threads), max(1, cores // threads), journal_dir, progress=progress)
    return status


def run_one(name, flags, threads, result_dir, data_dir, study='run'):
    "Run one run of the study (unless it finished before); raises if it fails."
    cell = StudyCell(study, name, flags, threads, result_dir, data_dir)
    how = run_on_cores([cell], threads, Path(result_dir), progress=False)[cell.name]
    if how not in ('finished', 'finished before'): raise RuntimeError(f"{name} failed: see {cell.folder/'grid.log'}")
    return name, how


def collect(study, jobs, result_dir, out_dir, main_dir=None):
    "One CSV (and figure) of the study's summary records; the ablations get their baseline from the main CIFAR-10 study."
    sys.path.insert(0, str(ROOT))
    import pandas as pd
    from ntksap.results import load_summaries, SUMMARY_KEYS
    from ntksap.report import plot_accuracy
    frames = []
    for name, variant, flags, _ in jobs:
        d = load_summaries(result_dir/'multishot'/name)[list(SUMMARY_KEYS)]
        d.insert(0, 'variant', variant or ('baseline' if study == 'ablations' else ''))
        frames.append(d)
    df = pd.concat(frames, ignore_index=True)
    if study == 'ablations' and main_dir is not None and (main_dir/'multishot').is_dir():
        base = load_summaries(main_dir/'multishot')
        base = base[(base.pruner == 'ntksap') & base.compression.isin([float(c) for c in df.compression.unique()])
                    & base.seed.isin(df.seed.unique())][list(SUMMARY_KEYS)]
        base.insert(0, 'variant', 'baseline (T=20, R=1, variance 1e-4)')
        df = pd.concat([base, df], ignore_index=True)
    if study != 'ablations': df = df.drop(columns='variant')
    df = df.sort_values([c for c in ('variant', 'pruner', 'compression', 'seed') if c in df]).reset_index(drop=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv = out_dir/f'{OUT_NAMES[study]}_summary.csv'
    tmp = csv.with_suffix('.csv.tmp'); df.to_csv(tmp, index=False); os.replace(tmp, csv)
    if study != 'ablations':
        plot_accuracy(df, out_dir/f'{OUT_NAMES[study]}_accuracy.png', title=f"{df.model.iloc[0]} on {df.dataset.iloc[0]}: top-1 after pruning at init")
        if set(df.pruner) <= set(NEWER + MORE):   # the later pruners: their layer densities too
            save_run_layers(jobs, result_dir, max(COMPRESSIONS), out_dir/f'{OUT_NAMES[study]}_layers.csv')
    else:
        plot_ablations(df, out_dir/f'{OUT_NAMES[study]}.png')
        save_layer_densities(jobs, result_dir, main_dir, out_dir/f'{OUT_NAMES[study]}_layers.csv')
    return csv


def layer_rows(run_dir, at, scored_by, **columns):
    "The per-layer table of `scored_by`'s masks at compression `at` in `run_dir`, `columns` put first; None if absent."
    import pandas as pd
    from ntksap.results import RunFolder
    f = RunFolder(run_dir).layers(at, 1, scored_by)
    if not f.exists(): return None
    t = pd.read_csv(f)[['parameter', 'total', 'remaining', 'density']]
    for k, v in reversed(columns.items()): t.insert(0, k, v)
    return t


def write_rows(frames, path):
    "The tables `frames` (None left out) as one CSV at `path`, written atomically; nothing if there are none."
    import pandas as pd
    frames = [f for f in frames if f is not None]
    if frames:
        tmp = path.with_suffix('.csv.tmp')
        pd.concat(frames, ignore_index=True).to_csv(tmp, index=False)
        os.replace(tmp, path)


def save_run_layers(jobs, result_dir, compression, path):
    "Per-layer densities of every run of `jobs` at `compression`: pruner, seed, parameter, total, remaining, density."
    write_rows([layer_rows(result_dir/'multishot'/name, compression, p, pruner=p, seed=int(values_after(flags, '--seed')[0]))
                for name, _, flags, _ in jobs for p in values_after(flags, '--pruner-list')], path)


def save_layer_densities(jobs, result_dir, main_dir, path):
    "Per-layer densities of every ablation run (and the baseline) at the highest ablation compression."
    c = max(ABLATION_COMPRESSIONS)
    runs = [(v, int(values_after(f, '--seed')[0]), result_dir/'multishot'/n) for n, v, f, _ in jobs]
    runs += [('baseline (T=20, R=1, variance 1e-4)', s, main_dir/'multishot'/f'ntksap-seed{s}') for s in sorted({s for _, s, _ in runs})]
    write_rows([layer_rows(d, c, 'ntksap', variant=v, compression=float(c), seed=s) for v, s, d in runs], path)


def plot_ablations(df, path):
    "Mean top-1 (error bars: std over seeds) of each NTK-SAP variant, one colour per sparsity."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt, io
    from ntksap.core import atomic_write
    t = df.groupby(['variant', 'compression']).top1.agg(['mean', 'std']).reset_index()
    have = set(t.variant)
    order = sorted(v for v in have if v.startswith('baseline')) + [v for v in ABLATIONS if v in have]
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(order) + 1.2))
    for k, (c, g) in enumerate(t.groupby('compression')):
        g = g.set_index('variant').reindex(order)
        y = [i + 0.15 * (k - 0.5) for i in range(len(order))]
        ax.errorbar(g['mean'], y, xerr=g['std'].fillna(0), fmt='o', capsize=3, label=f'sparsity {100 * (1 - 0.8 ** c):.1f} %')
    ax.set_yticks(range(len(order))); ax.set_yticklabels(order, fontsize=8); ax.invert_yaxis()
    ax.set_xlabel('test top-1 (%), mean ± std over seeds'); ax.grid(alpha=.3); ax.legend(fontsize=8)
    ax.set_title('NTK-SAP ablations: ResNet-20, CIFAR-10 at 16 px, 3 epochs', fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO(); fig.savefig(buf, format='png', dpi=130); atomic_write(path, buf.getvalue()); plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--study', nargs='+', default=['cifar10', 'ablations'], help='mnist5k, cifar10, ablations (default: cifar10 ablations)')
    ap.add_argument('--seeds', nargs='+', type=int, default=SEEDS)
    ap.add_argument('--pruners', nargs='+', default=PRUNERS, choices=PRUNERS + NEWER + MORE,
                    help=f"pruners of the mnist5k and cifar10 studies (default: the paper's seven; newer: {' '.join(NEWER)}; "
                         f"more: {' '.join(MORE)})")
    ap.add_argument('--jobs', type=int, default=2, help='cores to use (default 2): one-thread runs go two at a time, the two-thread digits runs one at a time')
    ap.add_argument('--data-dir', default=None, help='folder holding cifar10-jpeg (default: $NTKSAP_SHARED_DATA or ../shared/data)')
    ap.add_argument('--result-dir', default=str(ROOT/'Results'/'cpu_study'))
    ap.add_argument('--out', default=str(ROOT/'nbs'/'reproduction'), help='where the collected CSVs and figures go')
    ap.add_argument('--tiny', action='store_true', help='a tiny version of every run (for tests)')
    ap.add_argument('--dry-run', action='store_true', help='print the commands, run nothing')
    a = ap.parse_args(argv)
    result_root, out = Path(a.result_dir).resolve(), Path(a.out).resolve()
    if a.data_dir is None:
        from ntksap.core import find_shared_data
        a.data_dir = find_shared_data() or 'Data'
    if a.pruners != PRUNERS:   # other pruners: other CSV and figure names, so the committed study is never overwritten
        tags = {tuple(sorted(NEWER)): 'newer', tuple(sorted(MORE)): 'more', tuple(sorted(NEWER + MORE)): 'later'}
        tag = tags.get(tuple(sorted(a.pruners)), '-'.join(p.lower() for p in a.pruners))
        OUT_NAMES.update({k: f"{v}_{tag}" for k, v in OUT_NAMES.items()})
    todo = {st: jobs_of(st, a.seeds, a.tiny, a.pruners) for st in a.study}
    if a.dry_run:
        for st, js in todo.items():
            for name, _, flags, threads in js:
                print(f"OMP_NUM_THREADS={threads} ntksap --experiment multishot {' '.join(flags)} --data-dir {a.data_dir} --result-dir {result_root/st} --expid {name}")
        return 0
    t0 = time.perf_counter()
    os.chdir(ROOT)   # as before: a relative --data-dir is relative to the repository
    # longest first (R=5, NTK-SAP, SynFlow) so the last minutes are not one long run on one core
    weight = lambda c: ('R=5' in c.name) * 3 + ('ntksap' in c.name) + ('synflow' in c.name)
    cells = sorted([StudyCell(st, name, flags, threads, result_root/st, a.data_dir) for st, js in todo.items()
                    for name, _, flags, threads in js], key=weight, reverse=True)
    status = run_on_cores(cells, a.jobs, result_root)
    failed = [n for n, how in status.items() if how not in ('finished', 'finished before')]
    if failed:
        print(f"cpu_study: {len(failed)} run(s) did not finish: {', '.join(failed)} (their grid.log says why)", file=sys.stderr)
        return 1
    for st, js in todo.items():
        print('wrote', collect(st, js, result_root/st, out, main_dir=result_root/'cifar10'))
    print(f'study wall time: {time.perf_counter() - t0:.0f} s with {a.jobs} processes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
