#!/usr/bin/env bash
# One command that checks ntksap on a GPU and measures what matters for the paper's grids; prints one table.
#
#   bash scripts/gpu_check.sh                 # GPU mode when torch sees a GPU (fits in ~8 minutes on one H100/H200)
#   bash scripts/gpu_check.sh --cpu           # CPU mode: a minimal version of each row in seconds (CI), or "needs a GPU"
#   bash scripts/gpu_check.sh --data-dir DIR  # where a CIFAR-10 image folder is looked for (default: $NTKSAP_SHARED_DATA or Data)
#   bash scripts/gpu_check.sh --out FILE.json # also write the rows as JSON
#
# Rows: the CUDA paths (a 1-process NCCL torchrun prune + train, --amp bf16, --channels-last, --compile, the on-device
# augmentation); ResNet-20 CIFAR-10 seconds per epoch for each speed option (CIFAR-10 from the uint8 tensor cache when
# its folder is found, else random tensors of the same shape: the table says which); the NTK-SAP prune time; one
# NTK-SAP iteration and the prune's peak memory against a training step on ResNet-50 and ViT-B/16 at 224 px; and the
# grid's aggregate epochs/s with 1, 4, 8 and 16 training processes sharing one GPU, with the projected wall time of
# the paper's CIFAR-10 ResNet-20 column (7 pruners x 5 densities x 3 seeds = 105 runs of 160 epochs).
# Run it once with CUDA MPS on and once off to choose (see the grid chapter, nbs/14_grid.ipynb).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY="${PYTHON:-python}"
SCRIPT="$(mktemp -t gpu_check.XXXXXX.py)"
trap 'rm -f "$SCRIPT"' EXIT
cat > "$SCRIPT" <<'PYTHON'
import argparse, json, os, socket, subprocess, sys, tempfile, time, shlex
from pathlib import Path

STEPS_PER_EPOCH = 391          # CIFAR-10 (50,000 images) at batch 128
COLUMN_RUNS, COLUMN_EPOCHS = 7 * 5 * 3, 160

def worker(a):
    "One packed training process: warm up, then time a fixed number of steps; prints one JSON line."
    import torch
    from ntksap.bench import masked_model
    from ntksap.datasets import dataset_info
    from ntksap.loaders import TensorLoader
    from ntksap.train import make_optimizer, prepare_model
    import torch.nn.functional as F
    torch.set_num_threads(1)
    dev = torch.device(a.device)
    x, y, _ = load_data(a, n=a.images)
    info = dataset_info('cifar10')
    loader = TensorLoader(x, y, a.batch, info.mean, info.std, dev, shuffle=True, augment='crop-flip', seed=a.seed)
    model = masked_model('resnet20', 'lottery', (3, 32, 32), 10, dev, density=0.1, seed=a.seed)
    net = prepare_model(model, channels_last=dev.type == 'cuda')
    opt = make_optimizer(model, 'sgd', lr=0.1, weight_decay=1e-4)
    def steps(n):
        done = 0
        while done < n:
            for xb, yb in loader:
                if dev.type == 'cuda': xb = xb.contiguous(memory_format=torch.channels_last)
                with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == 'cuda'):
                    loss = F.cross_entropy(net(xb), yb)
                opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
                done += 1
                if done >= n: break
        if dev.type == 'cuda': torch.cuda.synchronize()
    steps(a.warmup)
    t0 = time.time(); steps(a.steps); t1 = time.time()
    print(json.dumps(dict(start=t0, end=t1, steps=a.steps)), flush=True)

def load_data(a, n=None):
    "CIFAR-10 training images (uint8) from the tensor cache when a folder is found, else random tensors of the same shape."
    import torch
    from ntksap.datasets import find_image_folder
    from ntksap.cache import load_tensors
    n = n or 50000
    if a.data_dir and find_image_folder('cifar10', a.data_dir) is not None:
        x, y, _ = load_tensors('cifar10', a.data_dir, 'train', download=False, progress=False)
        return x[:n], y[:n], 'CIFAR-10 images (tensor cache)'
    g = torch.Generator().manual_seed(0)
    return (torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=g), torch.randint(0, 10, (n,), generator=g),
            'random tensors of CIFAR-10 shape (no CIFAR-10 folder found)')

ROWS = []
def row(check, result, note=''):
    ROWS.append(dict(check=check, result=result, note=note))
    print(f"  {check:<34} {result:<18} {note}", file=sys.stderr, flush=True)

def run_cmd(cmd, env=None, timeout=600):
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **(env or {})), timeout=timeout)
    last = ([l for l in (r.stdout + r.stderr).splitlines() if l.strip()] or [''])[-1]
    return r.returncode, time.time() - t0, last

def cuda_paths(a, gpu, tmp):
    "Real `ntksap` jobs through each CUDA path (on CPU: the torchrun path with gloo, tiny)."
    py = sys.executable
    small = ['--dataset', 'mnist5k', '--model', 'conv', '--train-subset', '500', '--test-subset', '200', '--post-epochs', '1',
             '--seed', '0', '--progress', 'False', '--result-dir', str(tmp), '--pruner', 'snip']
    if not gpu: small[3] = 'fc'
    prune = [*small, '--experiment', 'multishot_ddp_prune', '--expid', 'p', '--compression-list', '5']
    def train(expid, *extra): return [*small, '--experiment', 'multishot_ddp_train', '--expid', expid, '--compression', '5',
                                      '--prune-dir', str(tmp/'multishot_ddp_prune'/'p'), *extra]
    backend = 'nccl' if gpu else 'gloo'
    trun = [py, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=1', '-m', 'ntksap']
    rc1, s1, l1 = run_cmd([*trun, *prune, '--dist-backend', backend])
    rc2, s2, l2 = run_cmd([*trun, *train('t', '--dist-backend', backend)]) if rc1 == 0 else (1, 0, 'prune failed')
    row(f'torchrun 1-process {backend} prune+train', 'ok' if rc1 == rc2 == 0 else 'FAILED',
        f'{s1 + s2:.0f} s' if rc1 == rc2 == 0 else (l1 if rc1 else l2)[:100])
    for name, flags in (('--amp bf16', ['--amp', 'bf16']), ('--channels-last', ['--channels-last', 'True']), ('--compile', ['--compile', 'True'])):
        if not gpu: row(name, 'needs a GPU'); continue
        rc, s, last = run_cmd([py, '-m', 'ntksap', *train(name.strip('-').replace(' ', '-'), *flags)])
        row(name, 'ok' if rc == 0 else 'FAILED', f'{s:.0f} s' if rc == 0 else last[:100])
    import torch
    from ntksap.datasets import dataset_info
    from ntksap.loaders import TensorLoader
    dev = torch.device('cuda' if gpu else 'cpu')
    x = torch.randint(0, 256, (256, 3, 32, 32), dtype=torch.uint8)
    info = dataset_info('cifar10')
    xb, yb = next(iter(TensorLoader(x, torch.zeros(256, dtype=torch.int64), 128, info.mean, info.std, dev, shuffle=True, augment='crop-flip')))
    ok = xb.device.type == dev.type and tuple(xb.shape) == (128, 3, 32, 32) and bool(torch.isfinite(xb).all())
    row('on-device augmentation (crop-flip)', 'ok' if ok else 'FAILED', f'batches made on {xb.device}')

def speed_options(a, gpu):
    "Seconds per ResNet-20 CIFAR-10 epoch (391 steps of 128) for each speed option; on CPU a tiny fp32 run only."
    import torch
    from ntksap.bench import masked_model
    from ntksap.datasets import dataset_info
    from ntksap.loaders import TensorLoader
    from ntksap.train import train_epoch, make_optimizer, prepare_model
    dev = torch.device('cuda' if gpu else 'cpu')
    x, y, src = load_data(a, n=None if gpu else 32)
    info = dataset_info('cifar10')
    loader = TensorLoader(x, y, 128 if gpu else 16, info.mean, info.std, dev, shuffle=True, augment='crop-flip', seed=0)
    options = [('fp32', {}), ('--channels-last', dict(channels_last=True)), ('--amp bf16', dict(autocast_dtype=torch.bfloat16)),
               ('--amp bf16 --channels-last', dict(autocast_dtype=torch.bfloat16, channels_last=True)),
               ('--amp bf16 --channels-last --compile', dict(autocast_dtype=torch.bfloat16, channels_last=True, compile=True))]
    for name, opt in options:
        if not gpu and name != 'fp32': row(f'epoch s, {name}', 'needs a GPU'); continue
        model = masked_model('resnet20', 'lottery', (3, 32, 32), 10, dev, density=0.1)
        net = prepare_model(model, opt.get('channels_last', False), opt.get('compile', False))
        o = make_optimizer(model, 'sgd', lr=0.1, weight_decay=1e-4)
        kw = {k: v for k, v in opt.items() if k != 'compile'}
        train_epoch(net, torch.nn.CrossEntropyLoss(), o, loader, dev, epoch=0, progress=False, **kw)   # warm-up (and compile)
        if gpu: torch.cuda.synchronize()
        t0 = time.perf_counter()
        train_epoch(net, torch.nn.CrossEntropyLoss(), o, loader, dev, epoch=1, progress=False, **kw)
        if gpu: torch.cuda.synchronize()
        s = time.perf_counter() - t0
        row(f'epoch s, {name}', f'{s:.2f} s' if gpu else f'{s * 50000 / len(x):.0f} s (est.)',
            src if gpu else f'tiny CPU run ({len(x)} images, scaled to 50,000); {src}')
    return src

def prune_time(a, gpu):
    import torch, torch.nn.functional as F
    from ntksap.bench import masked_model
    from ntksap.pruning import get_pruner, prune_loop
    from ntksap.masks import masks_of
    from ntksap.core import tensor_digest
    dev = torch.device('cuda' if gpu else 'cpu')
    T, n = (get_pruner('ntksap').default_iterations, 100) if gpu else (1, 8)   # on a GPU the pruner's recommended T
    g = torch.Generator().manual_seed(0)
    data = [(torch.randn(n, 3, 32, 32, generator=g).to(dev), torch.randint(0, 10, (n,), generator=g).to(dev))]
    digests = []
    for attempt in range(2):   # the second run: the same seed gives the same masks on this device (draws made on it)
        model = masked_model('resnet20', 'lottery', (3, 32, 32), 10, dev)
        if gpu: torch.cuda.synchronize()
        t0 = time.perf_counter()
        res = prune_loop(model, get_pruner('ntksap', R=1, generator=torch.Generator().manual_seed(0)), data, F.cross_entropy,
                         0.8 ** 10, iterations=T, train_mode=None, progress=False)
        if gpu: torch.cuda.synchronize()
        digests.append(tensor_digest({k: v.cpu() for k, v in masks_of(model).items()}))
        if attempt == 0:
            row('NTK-SAP prune, ResNet-20 to 0.8^10', f'{time.perf_counter() - t0:.1f} s',
                f'T={T}, R=1, {n} images, density {res.density:.4f}' + ('' if gpu else ' (tiny CPU run)'))
    row('NTK-SAP masks, same seed twice', 'same' if digests[0] == digests[1] else 'DIFFER',
        f'noise, inputs and weights drawn on {dev.type}; scored in strict fp32 (TF32 off)')

def large(a, gpu):
    "NTK-SAP's cost on the models people prune at scale: the bench's ntksap and large rows, at the GPU sizes."
    if not gpu:
        row('NTK-SAP iteration / memory, ResNet-50 and ViT-B/16', 'needs a GPU', 'CPU form: ntksap bench --rows ntksap large')
        return
    from ntksap.bench import run_bench
    for r in run_bench(rows=['ntksap', 'large'], device='cuda', progress=False, verbose=False)['rows']:
        if r['goal'] is None: continue
        row(r['name'], f"{r['ratio']:.2f} (goal {r['goal_op']} {r['goal']:g}: {'met' if r['met'] else 'NOT MET'})",
            r['ours'][:100])

def packing(a, gpu, script):
    "Aggregate epochs/s of K training processes sharing one device; the projected wall time of the paper's column."
    counts = [1, 4, 8, 16] if gpu else [1, 2]
    steps, warmup, images = (120, 30, 50000) if gpu else (2, 1, 64)
    batch = 128 if gpu else 16
    best = None
    for k in counts:
        cmd = [sys.executable, script, '--worker', '--device', 'cuda' if gpu else 'cpu', '--steps', str(steps), '--warmup', str(warmup),
               '--images', str(images), '--batch', str(batch), '--data-dir', (a.data_dir or '') if gpu else '']
        env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
        procs = [subprocess.Popen(cmd + ['--seed', str(i)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for i in range(k)]
        outs = [p.communicate(timeout=600) for p in procs]
        if any(p.returncode for p in procs):
            err = next(o[1] for p, o in zip(procs, outs) if p.returncode).strip().splitlines()
            row(f'grid, {k} worker' + ('s' if k > 1 else '') + ' on one device', 'FAILED', (err[-1] if err else '')[:100]); continue
        recs = [json.loads(o[0].strip().splitlines()[-1]) for o in outs]
        # the timed windows overlap only partly (start-up differs): count the steps inside the common window's span
        span = max(r['end'] for r in recs) - min(r['start'] for r in recs)
        steps_per_epoch = STEPS_PER_EPOCH if gpu else STEPS_PER_EPOCH * 128 // batch
        eps = sum(r['steps'] for r in recs) / steps_per_epoch / span
        hours = COLUMN_RUNS * COLUMN_EPOCHS / eps / 3600
        best = max(best or (0, 0), (eps, k))
        row(f'grid, {k} worker' + ('s' if k > 1 else '') + ' on one device', f'{eps:.3g} epochs/s',
            f'7x5x3 column at 160 epochs: {hours:.1f} h' + ('' if gpu else ' (tiny CPU run: not a projection)'))
    if best: row('best packing', f'{best[1]} worker' + ('s' if best[1] > 1 else ''), 'aggregate training epochs/s (evaluation and pruning not counted)')

def gpu_path(a, gpu, tmp):
    "One row per item of the GPU-path issue (17): checked on this device, or 'needs a GPU' (its CPU test is in the book)."
    import torch, torch.nn.functional as F
    from ntksap.augment import count_host_copies
    from ntksap.datasets import dataset_info
    from ntksap.loaders import TensorLoader, FolderDataset, FolderLoader, reference_transform, loader_throughput, _device_decode
    from ntksap.models import get_model
    from ntksap.init import reinitialize
    from ntksap.masks import add_masks, masks_of
    from ntksap.pruners import strict_fp32, GraSP
    from ntksap.train import to_channels_last, is_channels_last, set_cudnn_benchmark
    from ntksap.core import rng_state, tensor_digest
    from ntksap.distributed import interface_towards
    dev = torch.device('cuda' if gpu else 'cpu')
    info = dataset_info('cifar10')
    # 1: an augmented batch makes no host-to-device copy (the uint8 images live on the device; draws made there)
    x = torch.randint(0, 256, (512, 3, 32, 32), dtype=torch.uint8).to(dev)
    it = iter(TensorLoader(x, torch.zeros(512, dtype=torch.int64).to(dev), 128, info.mean, info.std, dev, shuffle=True,
                           augment='crop-flip'))
    next(it)
    with count_host_copies() as c:
        for _ in range(3): next(it)
    row('1 host copies per augmented batch', 'ok' if not c.calls else 'FAILED', f'{len(c.calls)} in 3 batches on {dev.type}')
    # 2: weights re-drawn by a generator on the device: the same seed, the same weights
    m = get_model('resnet20', 'lottery', (3, 32, 32), 10).to(dev)
    digests = [tensor_digest(dict(reinitialize(m, torch.Generator(device=dev).manual_seed(0)).state_dict())) for _ in range(2)]
    row('2 re-draw on the device, same seed', 'same' if digests[0] == digests[1] else 'DIFFER', f'generator on {dev.type}')
    # 3: scoring in strict fp32
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    with strict_fp32(): inside = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    after = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before
    row('3 TF32 off while scoring', 'ok' if inside == (False, False) and after == (True, True) else 'FAILED',
        'flags off inside prune_loop\'s scoring, restored after')
    # 4: channels-last before DDP and the step hooks: masks in the weights' memory format
    m = to_channels_last(add_masks(get_model('resnet20', 'lottery', (3, 32, 32), 10).to(dev)))
    row('4 channels-last masks', 'ok' if is_channels_last(m) else 'FAILED', 'every 4-d weight and mask channels-last')
    # 5: the prune job runs in one process
    from ntksap.grid import plan_grid, cell_command
    prune_cell = plan_grid(dict(dataset='cifar10'), ['ntksap'], [10], [0], 'grid')[0]
    one = cell_command(prune_cell, gpus_per_cell=8)[1:3] == ['-m', 'ntksap']
    row('5 prune job in one process', 'ok' if one else 'FAILED', 'the grid (and the recipes) run it as one process')
    # 6: only the current device's CUDA generator state is saved
    if gpu:
        st = rng_state()
        cuda_state = st.get('cuda')
        row('6 RNG state of this device only', 'ok' if isinstance(cuda_state, torch.Tensor) else 'FAILED',
            f'{type(cuda_state).__name__} saved for cuda:{torch.cuda.current_device()}')
    else: row('6 RNG state of this device only', 'needs a GPU', 'CPU test with a stand-in CUDA module: 00_core')
    # 7: cuDNN benchmark on for GPU training unless deterministic
    on, off = set_cudnn_benchmark(dev), set_cudnn_benchmark(dev, deterministic=True)
    row('7 cuDNN benchmark', 'ok' if (on, off) == (gpu, False) else 'FAILED', f'on={on}, deterministic={off}')
    torch.backends.cudnn.benchmark = False
    # 8: the ImageNet loader: PIL in persistent workers, or nvJPEG on the device; images/s of each
    from ntksap.cache import write_image_folder
    n_img = 256 if gpu else 16
    write_image_folder(tmp/'inet'/'train', ['a', 'b'], n_img // 2, size=(256, 320), ext='JPEG')
    files = sorted(str(f.relative_to(tmp/'inet')) for f in (tmp/'inet'/'train').rglob('*.JPEG'))
    labels = [0 if '/a/' in f else 1 for f in files]
    for decode in (('pil', 'device') if gpu else ('pil',)):
        ds = (FolderDataset(tmp/'inet', files, labels, ['a', 'b'], raw=True) if decode == 'device' else
              FolderDataset(tmp/'inet', files, labels, ['a', 'b'], reference_transform('imagenet', True)))
        loader = FolderLoader(ds, 32 if gpu else 4, dev, shuffle=True, workers=8 if gpu else 1,
                              device_decode=_device_decode(decode, True, dev))
        ips = loader_throughput(loader, batches=6 if gpu else 2)
        row(f'8 ImageNet loader, decode={decode}', f'{ips:.0f} images/s',
            f'{n_img} JPEGs 320x256, {loader.workers} workers' + ('' if gpu else ' (tiny CPU run)'))
    if not gpu: row('8 ImageNet loader, decode=device', 'needs a GPU', 'nvJPEG; CPU decode_jpeg tested in 03c')
    # 9: GraSP keeps the pruning batches on the host: peak device memory with 8 batches about that with 1
    if gpu:
        peaks = []
        for k in (1, 8):
            m = add_masks(get_model('resnet20', 'lottery', (3, 32, 32), 10).to(dev))
            data = [(torch.randn(256, 3, 32, 32), torch.randint(0, 10, (256,))) for _ in range(k)]
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            GraSP().score(m, F.cross_entropy, data, dev)
            peaks.append(torch.cuda.max_memory_allocated() / 2**20)
        row('9 GraSP device memory, 8 vs 1 batch', f'{peaks[1] / peaks[0]:.2f}x', f'{peaks[0]:.0f} MiB with one batch')
    else: row('9 GraSP device memory, 8 vs 1 batch', 'needs a GPU', 'CPU test of one batch at a time: 04_pruners')
    # 10: several machines: gloo's interface chosen towards MASTER_ADDR
    name = interface_towards(os.environ.get('MASTER_ADDR') or socket.gethostname())
    row('10 gloo interface (several machines)', name or 'none found',
        'towards MASTER_ADDR or this host; set GLOO_SOCKET_IFNAME / NCCL_SOCKET_IFNAME to override')

def main():
    ap = argparse.ArgumentParser(prog='gpu_check.sh')
    ap.add_argument('--cpu', action='store_true', help='CPU mode even if a GPU is present')
    ap.add_argument('--data-dir', default=os.environ.get('NTKSAP_SHARED_DATA') or 'Data')
    ap.add_argument('--out', default=None)
    ap.add_argument('--only', nargs='*', default=None, help='row groups: paths gpu-path speed prune large packing')
    ap.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    ap.add_argument('--device', default='cpu', help=argparse.SUPPRESS)
    ap.add_argument('--steps', type=int, default=3, help=argparse.SUPPRESS)
    ap.add_argument('--warmup', type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument('--images', type=int, default=256, help=argparse.SUPPRESS)
    ap.add_argument('--batch', type=int, default=32, help=argparse.SUPPRESS)
    ap.add_argument('--seed', type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker: return worker(a)
    import torch
    gpu = torch.cuda.is_available() and not a.cpu
    name = torch.cuda.get_device_name(0) if gpu else 'CPU'
    mps = 'on' if os.environ.get('CUDA_MPS_PIPE_DIRECTORY') or Path('/tmp/nvidia-mps').exists() else 'off (as far as can be seen)'
    print(f"gpu_check: {'GPU' if gpu else 'CPU'} mode on {name}; torch {torch.__version__}" + (f"; CUDA MPS {mps}" if gpu else ''),
          file=sys.stderr, flush=True)
    groups = a.only or ['paths', 'gpu-path', 'speed', 'prune', 'large', 'packing']
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d:
        for gname, fn in (('paths', lambda: cuda_paths(a, gpu, Path(d))), ('gpu-path', lambda: gpu_path(a, gpu, Path(d))),
                          ('speed', lambda: speed_options(a, gpu)),
                          ('prune', lambda: prune_time(a, gpu)), ('large', lambda: large(a, gpu)),
                          ('packing', lambda: packing(a, gpu, __file__))):
            if gname not in groups: continue
            try: fn()
            except Exception as e: row(gname, 'FAILED', f'{type(e).__name__}: {e}'[:120])
    w = max(len(r['check']) for r in ROWS)
    wr = max(len(r['result']) for r in ROWS)
    print(f"\n{'check':<{w}}  {'result':<{wr}}  note")
    print(f"{'-' * w}  {'-' * wr}  ----")
    for r in ROWS: print(f"{r['check']:<{w}}  {r['result']:<{wr}}  {r['note']}")
    print(f"\n{'GPU' if gpu else 'CPU'} mode on {name}, {time.time() - t0:.0f} s")
    if a.out: Path(a.out).write_text(json.dumps(dict(device=name, gpu=gpu, rows=ROWS), indent=1))
    sys.exit(1 if any(r['result'] == 'FAILED' for r in ROWS) else 0)

if __name__ == '__main__': main()
PYTHON
"$PY" "$SCRIPT" "$@"
