"Build nbs/16_integrations.ipynb from tmp_build/module.py (exported cells) and the chapter's prose and tests."
import json, hashlib, re
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
mod = (ROOT/'tmp_build/module.py').read_text()
parts = dict((m.group(1), m.group(2).strip('\n') + '\n') for m in re.finditer(r'^#%% (\w+)\n(.*?)(?=^#%% |\Z)', mod, re.S | re.M))
cells = []
def md(label, text): cells.append(('markdown', label, text.strip('\n')))
def code(label, text): cells.append(('code', label, text.strip('\n')))
def export(label): code(label, '#| export\n' + parts[label])

md('title', """
# Integrations: Lightning, the Hugging Face Trainer, run trackers

> Prune at initialisation inside the training stack people already use: a Lightning callback, a `transformers`
> `Trainer` callback, and `--logger tensorboard|wandb|mlflow` for the CLI and the grid.
""")
code('defexp', '#| default_exp integrations')
md('intro', """
Most people who prune at initialisation do not write their own training loop: they train with PyTorch Lightning or
the Hugging Face `Trainer`, and they watch runs in TensorBoard, Weights & Biases or MLflow. Pruning at
initialisation asks three things of such a stack, and this chapter gives each one hook:

1. **prune before the first step**, with any pruner of the book, on the data the trainer is about to train on;
2. **stay pruned**: every optimizer step must leave the pruned weights at exactly zero (also when the trainer
   steps with a closure, as Lightning does, or wraps the optimizer, as `accelerate` does), and a checkpoint must
   bring the masks back, into the same run (`ckpt_path=`, `resume_from_checkpoint=`) or into a fresh model;
3. **say what happened**: the density, every layer's density and the layer-collapse check, in the tracker that
   already shows the loss curves.

Nothing here is imported by `import ntksap`: Lightning, `transformers` and the trackers are optional extras
(`pip install "ntksap[integrations]"`, or one of `[lightning]`, `[hf]`, `[trackers]`), imported by the function
that uses them. The callbacks' classes are built the first time they are imported
(`from ntksap.integrations import PruneAtInit`), since their base classes live in those packages.
""")
export('imports')
md('seams', """
## Two seams: staying pruned, and masks before a checkpoint

Everything in this chapter that keeps a model pruned goes through `_keep_pruned(model, optimizer)`, and everything
that loads masks into a fresh model goes through `_ensure_masks(model, state_dict)`. When the masks chapter grows
its one mechanism for "pruned stays pruned" (through any optimizer, deepcopy, `state_dict`, DDP), these two
functions are the only places to switch.

The first is more than `keep_pruned_at_zero`: that helper masks the gradients in a step *pre*-hook, and for
optimizers whose update of a zero weight with zero gradient and zero state is zero (SGD, Adam, AdamW, RMSprop)
it stops there. Lightning's automatic optimisation calls `optimizer.step(closure)`: the forward and backward
passes run *inside* `step()`, after the pre-hook, so the gradients of pruned weights are no longer masked when the
update uses them. The seam therefore masks the weights again after each step. The test below steps with a closure
and fails without that post-hook.
""")
export('seams')
export('helpers')
code('seam_tests', """
from fastcore.test import *
import copy, math, os, sys, json, glob, logging, tempfile, warnings
from pathlib import Path
import torch, numpy as np, pandas as pd
import matplotlib.pyplot as plt
import ntksap
from ntksap.masks import masks_of, masked_parameters, count_remaining, apply_masks
from ntksap.pruning import keep_count
logging.getLogger('lightning.pytorch').setLevel(logging.ERROR)   # its start-up lines are not the chapter's output
warnings.filterwarnings('ignore', module='lightning')

def tiny_pruned(seed=0):
    "A small masked MLP with random masks (half of each layer kept) and its pruned weights at zero."
    torch.manual_seed(seed)
    m = ntksap.add_masks(torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)))
    for mk in masks_of(m).values(): mk.copy_((torch.rand(mk.shape) < 0.5).float())
    return apply_masks(m)

# a closure step (Lightning's way): the gradients are made inside step(), after the pre-hook ran
m = tiny_pruned()
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
_keep_pruned(m, opt)
x, y = torch.randn(16, 6), torch.randint(0, 3, (16,))
def closure():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(m(x), y)
    loss.backward()
    return loss
for _ in range(3): opt.step(closure)
test_eq(pruned_weights_nonzero(m), 0)
# the same steps with the masks chapter's hooks alone leave pruned weights non-zero: the reason for the post-hook
bare = tiny_pruned()
opt_bare = torch.optim.SGD(bare.parameters(), lr=0.1, momentum=0.9)
ntksap.masks.keep_pruned_at_zero(opt_bare, bare)
def closure_bare():
    opt_bare.zero_grad()
    loss = torch.nn.functional.cross_entropy(bare(x), y)
    loss.backward()
    return loss
for _ in range(3): opt_bare.step(closure_bare)
assert pruned_weights_nonzero(bare) > 0
# a fresh model takes a masked state dict: exactly the masks it holds, then strict loading
fresh = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
test_fail(lambda: fresh.load_state_dict(m.state_dict()), contains='Unexpected key')
_ensure_masks(fresh, m.state_dict())
fresh.load_state_dict(m.state_dict())
test_eq(sorted(masks_of(fresh)), sorted(masks_of(m)))
test_eq(pruned_weights_nonzero(fresh), 0)
test_eq(count_remaining(fresh), count_remaining(m))
""")
md('lightning', """
## Lightning: `PruneAtInit`

`PruneAtInit(pruner, density)` is a Lightning `Callback`. At `setup` it gives the module its mask buffers (so that a
checkpoint's masks have somewhere to go, and so that DDP, which wraps the module after `setup`, sees them). At
`on_train_start`, once the train loader exists and any checkpoint is restored, it prunes with `ntksap.prune` on the
first `batches` batches of the trainer's train loader (or on the `data` it was given: batches, one batch, or an input
shape), unless the module's masks already prune something (a resumed or already pruned model is not pruned again).
Under DDP every process prunes its own shard and then takes rank 0's masks (`broadcast_masks`), so all ranks train
the same sparse network. It logs `prune/density`, `prune/density/<parameter>` for every masked parameter and
`prune/collapsed_layers` (the number of masked layers left empty) to every logger of the trainer, and
`prune/density_at_end` when training ends. The masks are buffers, so Lightning's checkpoints hold them; the
callback's own state (what it pruned with) rides along in the checkpoint's `callbacks` entry.

`Classifier(model)` wraps any classifier as a LightningModule, and `digits_loader` serves the embedded mnist5k
digits: with them the README's example runs as written, on a CPU, in a few seconds. This cell is that example
(a ResNet-20 of the zoo, three steps); the working directory is a temporary folder, where Lightning writes its
`lightning_logs`.
""")
export('lightning')
code('readme_setup', """
workdir = tempfile.TemporaryDirectory()
home = os.getcwd()
os.chdir(workdir.name)
torch.manual_seed(0)
""")
code('readme', """
import lightning as L, ntksap
from ntksap.integrations import PruneAtInit, Classifier, digits_loader
model = Classifier(ntksap.get_model('resnet20', 'lottery', (3, 28, 28), 10))
trainer = L.Trainer(max_steps=3, callbacks=[PruneAtInit('snip', density=0.1)], enable_progress_bar=False)
trainer.fit(model, digits_loader(batch_size=16, samples=128))
""")
md('lightning_check', """
When fit ends the model holds exactly $\\operatorname{round}(0.1\\,n)$ of its $n$ prunable weights, every pruned
weight is exactly zero, and the weights it kept have moved. Resuming from the checkpoint Lightning wrote (a fresh
module and callback, `ckpt_path=`) trains on with the same masks, still exactly at zero where pruned; and a fresh
module loads the checkpoint with `load_pruned_checkpoint` (masks first, then strict loading).
""")
code('lightning_tests', """
remaining, total = count_remaining(model)
test_eq(remaining, keep_count(0.1, total))
test_eq(pruned_weights_nonzero(model), 0)
test_eq(trainer.global_step, 3)
masks_after_fit = {k: v.clone() for k, v in masks_of(model).items()}
ckpt = glob.glob('lightning_logs/version_0/checkpoints/*.ckpt')
test_eq(len(ckpt), 1)
logged = torch.load(ckpt[0], map_location='cpu', weights_only=True)
[record] = [v for k, v in logged['callbacks'].items() if k.startswith('PruneAtInit')]   # the callback's own state
test_eq((record['pruner'], record['density'], record['achieved']), ('snip', 0.1, remaining / total))

torch.manual_seed(1)
resumed = Classifier(ntksap.get_model('resnet20', 'lottery', (3, 28, 28), 10))
trainer2 = L.Trainer(max_steps=5, callbacks=[PruneAtInit('snip', density=0.1)], enable_progress_bar=False,
                     logger=False, enable_checkpointing=False)
trainer2.fit(resumed, digits_loader(batch_size=16, samples=128), ckpt_path=ckpt[0])
test_eq(trainer2.global_step, 5)
test_eq(sorted(masks_of(resumed)), sorted(masks_after_fit))
test_eq(all(torch.equal(masks_after_fit[k], v) for k, v in masks_of(resumed).items()), True)
test_eq(pruned_weights_nonzero(resumed), 0)
test_eq(count_remaining(resumed), (remaining, total))

loaded = load_pruned_checkpoint(Classifier(ntksap.get_model('resnet20', 'lottery', (3, 28, 28), 10)), ckpt[0])
test_eq(all(torch.equal(masks_after_fit[k], v) for k, v in masks_of(loaded).items()), True)
test_eq(pruned_weights_nonzero(loaded), 0)
events = glob.glob('lightning_logs/version_0/events.out.tfevents.*')
print(f"kept {remaining:,} of {total:,} weights ({100 * remaining / total:.2f} %) after fit and after resuming to step "
      f"{trainer2.global_step}; pruned weights not zero: {pruned_weights_nonzero(model)} and "
      f"{pruned_weights_nonzero(resumed)}")
""")
md('lightning_logged', """
What the callback logged, read back from the TensorBoard event file of that fit (Lightning's default logger): the
density and the per-layer densities at step 0, and the density when training ended.
""")
code('lightning_read', """
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(events[0])
acc.Reload()
tags = acc.Tags()['scalars']
layer_tags = [t for t in tags if t.startswith('prune/density/')]
test_eq(len(layer_tags), len(masks_after_fit))
for t in layer_tags:   # event files hold float32: each layer's density is the float32 of its exact fraction
    n = t[len('prune/density/'):]
    test_eq(acc.Scalars(t)[0].value, float(np.float32(float(masks_after_fit[n].mean()))))
test_eq(acc.Scalars('prune/density')[0].value, float(np.float32(remaining / total)))
test_eq(acc.Scalars('prune/density_at_end')[0].value, float(np.float32(remaining / total)))
test_eq(acc.Scalars('prune/collapsed_layers')[0].value, 0.0)
lightning_layers = pd.Series({t[len('prune/density/'):]: acc.Scalars(t)[0].value for t in layer_tags})
os.chdir(home)
workdir.cleanup()
""")
code('lightning_plot', """
fig, ax = plt.subplots(figsize=(7, 2.8))
ax.bar(range(len(lightning_layers)), 100 * lightning_layers.values)
ax.set_xlabel('masked parameter of the ResNet-20, in module order')
ax.set_ylabel('density (%)')
ax.set_title('SNIP to 10 %, as PruneAtInit logged it to TensorBoard')
plt.show()
""")
md('ddp', """
Under Lightning's DDP strategy the same callback works unchanged: the masks are registered at `setup`, before DDP
wraps the module, pruning happens on the unwrapped module, `broadcast_masks` gives every rank rank 0's masks and
zeroes the weights they prune, and the seam's hooks sit on each rank's optimizer. The book does not run a
two-process Lightning fit (its cost, two more interpreters importing Lightning, is above this chapter's budget);
the masks' agreement across ranks under torchrun is tested in [distributed training](10_distributed.ipynb).
""")
md('hf', """
## The Hugging Face `Trainer`: `PruneAtInitHF`

`PruneAtInitHF(pruner, density)` is a `TrainerCallback`. At `on_init_end` the model gets its mask buffers: the
`Trainer` loads a checkpoint (`train(resume_from_checkpoint=...)`) *non-strictly*, so a model without them would
drop the checkpoint's masks without a word. At `on_train_begin`, when the optimizer exists, it prunes from the first
batch of the train loader (token ids; the labels are the `labels` column, else the ids themselves), unless the
masks already prune something, and hooks the seam on the optimizer inside `accelerate`'s wrapper. The pruner sees
the model through a small adapter, token ids in and logits out, and scores with `token_loss`, the next-token
cross-entropy the model trains with. The pruning summary (density, per-layer densities, collapsed layers) goes
into the `Trainer`'s log history, which every checkpoint's `trainer_state.json` keeps, and each checkpoint folder
gets the masks beside the weights.

A model's masks are buffers, so `save_pretrained` writes them into `model.safetensors` with the weights (the pruned
weights are the zeros they are); `from_pretrained` of a fresh class, though, reports them as unexpected keys and
drops them. `save_pruned(model, path)` is `save_pretrained` plus the masks in `path/ntksap_masks.pt`;
`load_pruned(model_class, path)` is `from_pretrained` plus the masks, put back through the seam: a model that trains
on pruned. (A `Trainer` checkpoint folder holds that file too, so `load_pruned` reads it as well.)

The model here is a small Llama built from a config (two layers of width 32, a vocabulary of 64; no weights are
downloaded): all its projections are `nn.Linear`, which the masks chapter masks. GPT-2's projections are
`transformers`' own `Conv1D`, which `add_masks` does not mask yet; pruning GPT-2 through `ntksap.prune` waits for
the "any model's inputs and outputs" work. The code path is the same for any model whose layers carry masks.
""")
export('hf')
code('hf_run', """
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Trainer, TrainingArguments
from ntksap.integrations import PruneAtInitHF
transformers.logging.set_verbosity_error()
hf_dir = tempfile.TemporaryDirectory()
config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                     num_key_value_heads=2, max_position_embeddings=32)
ids = torch.randint(0, 64, (64, 16), generator=torch.Generator().manual_seed(0))
token_data = [dict(input_ids=x, labels=x) for x in ids]
def hf_args(steps):
    return TrainingArguments(output_dir=hf_dir.name, max_steps=steps, per_device_train_batch_size=8, save_steps=3,
                             logging_steps=3, report_to=[], use_cpu=True, disable_tqdm=True, learning_rate=1e-3,
                             seed=0)
torch.manual_seed(0)
lm = LlamaForCausalLM(config)
hf_trainer = Trainer(model=lm, args=hf_args(3), train_dataset=token_data, callbacks=[PruneAtInitHF('snip', density=0.2)])
out = hf_trainer.train()
lm_remaining, lm_total = count_remaining(lm)
test_eq(lm_remaining, keep_count(0.2, lm_total))
test_eq(pruned_weights_nonzero(lm), 0)
logged = [h for h in hf_trainer.state.log_history if 'prune/density' in h]
test_eq(len(logged), 1)
test_eq(logged[0]['prune/density'], lm_remaining / lm_total)
lm_masks = {k: v.clone() for k, v in masks_of(lm).items()}
checkpoint = Path(hf_dir.name)/'checkpoint-3'
test_eq((checkpoint/MASKS_FILE).is_file(), True)
""")
code('hf_resume', """
torch.manual_seed(1)
lm2 = LlamaForCausalLM(config)
hf_trainer2 = Trainer(model=lm2, args=hf_args(6), train_dataset=token_data,
                      callbacks=[PruneAtInitHF('snip', density=0.2)])
hf_trainer2.train(resume_from_checkpoint=str(checkpoint))
test_eq(hf_trainer2.state.global_step, 6)
test_eq(all(torch.equal(lm_masks[k], v) for k, v in masks_of(lm2).items()), True)
test_eq(pruned_weights_nonzero(lm2), 0)
save_pruned(lm2, Path(hf_dir.name)/'saved')
lm3 = load_pruned(LlamaForCausalLM, Path(hf_dir.name)/'saved')
test_eq(all(torch.equal(lm_masks[k], v) for k, v in masks_of(lm3).items()), True)
test_eq(all(torch.equal(p, dict(lm2.named_parameters())[n]) for n, p in lm3.named_parameters()), True)
test_eq(pruned_weights_nonzero(lm3), 0)
test_fail(lambda: load_pruned(LlamaForCausalLM, hf_dir.name), contains=MASKS_FILE)
print(f"Llama (2 layers, width 32), SNIP to 20 %: {lm_remaining:,} of {lm_total:,} weights kept after 3 steps, after "
      f"resuming to step 6 and after save_pruned/load_pruned; pruned weights not zero: {pruned_weights_nonzero(lm3)}")
hf_dir.cleanup()
""")
md('trackers', """
## Run logging: `--logger tensorboard|wandb|mlflow`

A run of the CLI (and each cell of a grid, which passes its settings on to the CLI) logs to a tracker when asked:
`--logger tensorboard`, `wandb` or `mlflow` (default `none`). The run folder stays the record; the tracker gets a
copy as the run goes:

* after each training epoch, the epoch's row of the metrics table (`top1`, `top5`, the loss, the learning rate, ...),
  named `<pruner>-c<compression>-l<level>/<metric>` with the epoch as step: the one call `track_epoch` in the runners;
* at the end of the run, from the files of the run folder: each cell's per-layer table (as a table, and every
  layer's density as a scalar `<cell>/density/<parameter>`), its final numbers, and the report's figures; then the
  tracker is closed: the one call `track_run_end` after the report;
* the settings when the tracker starts (TensorBoard: a text entry; W&B: the run's config; MLflow: its params).

Where each tracker writes: TensorBoard an event file in `RUN/tensorboard`; Weights & Biases in offline mode unless
`WANDB_MODE` or `WANDB_API_KEY` says otherwise, under `RUN/wandb` (`wandb sync` uploads it later), resuming its own
run id when the run resumes; MLflow on the server of `MLFLOW_TRACKING_URI`, else in a local file store in
`RUN/mlruns` (`mlflow ui --backend-store-uri RUN/mlruns`). MLflow 3 refuses file stores unless
`MLFLOW_ALLOW_FILE_STORE` is set; the logger sets it (if unset) only when it chooses the file store itself.

A tracker that cannot start, or fails later, costs one warning line on stderr, and the run goes on without it:
""")
export('trackers')
export('getattr')
code('tracker_fail', """
from ntksap.settings import Settings
from dataclasses import fields
test_eq(set(next(f for f in fields(Settings) if f.name == 'logger').metadata['choices']),
        {'none', *_TRACKER_CLASSES})
import io, contextlib
err = io.StringIO()
with tempfile.TemporaryDirectory() as d, contextlib.redirect_stderr(err):
    os.environ['MLFLOW_TRACKING_URI'] = 'nosuchscheme://nowhere'
    try: broken = RunTracker('mlflow', d, 'broken', {'seed': 0})
    finally: del os.environ['MLFLOW_TRACKING_URI']
    broken.scalars({'top1': 1.0}, 0)   # a tracker that failed to start is off: nothing raised, nothing more said
    broken.close()
lines = err.getvalue().strip().splitlines()
test_eq(len(lines), 1)
assert lines[0].startswith('ntksap: warning: the mlflow logger could not start'), lines[0]
print(lines[0].split(' (')[0])
""")
md('cli_runs', """
Three tiny runs of the CLI (a fully connected network on 1,000 digits, random pruning to $0.8^2 = 64\\%$, two
epochs), one per tracker. Each tracker's record is read back with that tracker's own reader and compared with the
run folder: every epoch's top-1 accuracy and every layer's density. TensorBoard stores float32, so its numbers are
compared with the float32 of the run folder's; W&B's history holds JSON numbers and MLflow's file store the float64
text, so theirs are compared exactly.
""")
code('cli_runs_code', """
from ntksap.testing import run_cli
from ntksap.results import RunFolder, load_frame
TINY = ['--dataset', 'mnist5k', '--model', 'fc', '--optimizer', 'sgd', '--lr', '0.05', '--train-batch-size', '100',
        '--train-subset', '1000', '--test-subset', '500', '--pruner', 'rand', '--compression', '2',
        '--post-epochs', '2', '--seed', '0', '--progress', 'False', '--deterministic', 'True']
tracked = tempfile.TemporaryDirectory()
def tracked_run(logger:str) -> tuple:
    "Run the tiny CLI run with `--logger logger`; its folder, its trained epochs' metrics and its layers table."
    r = run_cli(*TINY, '--logger', logger, '--result-dir', tracked.name, '--expid', logger,
                env={'WANDB_MODE': 'offline', 'WANDB_SILENT': 'true'})
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'warning' not in r.stderr, r.stderr[-2000:]
    folder = Path(tracked.name)/'singleshot'/logger
    metrics = load_frame(next(folder.glob('metrics-*.csv')))
    trained = metrics[(metrics.phase == 'post') & (metrics.epoch > 0)]     # the epochs logged as they end
    return folder, trained, load_frame(next(folder.glob('layers-*.csv')))
CELL = 'rand-c2-l1'
tb_folder, tb_metrics, tb_layers = tracked_run('tensorboard')
acc = EventAccumulator(str(next((tb_folder/'tensorboard').glob('events.out.tfevents.*'))), size_guidance={'images': 0})
acc.Reload()
tb_top1 = {e.step: e.value for e in acc.Scalars(f'{CELL}/top1')}
test_eq(tb_top1, {int(e): float(np.float32(v)) for e, v in zip(tb_metrics.epoch, tb_metrics.top1)})
tb_density = {p: acc.Scalars(f'{CELL}/density/{p}')[0].value for p in tb_layers.parameter}
test_eq(tb_density, {p: float(np.float32(d)) for p, d in zip(tb_layers.parameter, tb_layers.density)})
test_eq(sorted(acc.Tags()['images']), ['report/accuracy', 'report/layers'])
test_eq('settings/text_summary' in acc.Tags()['tensors'], True)
""")
code('tb_plot', """
fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 2.8))
loss = acc.Scalars(f'{CELL}/loss') if f'{CELL}/loss' in acc.Tags()['scalars'] else []
a1.plot(list(tb_top1), list(tb_top1.values()), marker='o')
a1.set_xlabel('epoch'); a1.set_ylabel('top-1 (%)'); a1.set_title('per-epoch accuracy, from the event file')
a2.bar(range(len(tb_density)), [100 * v for v in tb_density.values()])
a2.set_xticks(range(len(tb_density)), [p.split('.')[-2] for p in tb_density], fontsize=7)
a2.set_ylabel('density (%)'); a2.set_title('per-layer density, from the event file')
plt.tight_layout()
plt.show()
""")
md('wandb_md', """
Weights & Biases writes its offline run as one `.wandb` file: a sequence of protocol-buffer records in LevelDB's log
format (32 KiB blocks of records, each with a 7-byte header: checksum, length, and whether it is a whole record or the
first, middle or last piece of one), after a 7-byte file header. The reader below follows that format to the
`history` records, each one `run.log` call.
""")
code('wandb_run', """
import struct
def wandb_history(folder:Path) -> list:
    "The `run.log` rows of the offline W&B run under `folder`, as dicts (values parsed from their JSON)."
    from wandb.proto import wandb_internal_pb2
    data = next(folder.glob('wandb/offline-run-*/run-*.wandb')).read_bytes()
    rows, pos, pieces, block = [], 7, b'', 32768
    while pos + 7 <= len(data):
        left = block - pos % block
        if left < 7:        # a block's tail too short for a header is padding
            pos += left
            continue
        _, length, kind = struct.unpack('<IHB', data[pos:pos + 7])
        payload, pos = data[pos + 7:pos + 7 + length], pos + 7 + length
        if kind in (1, 2): pieces = payload
        elif kind in (3, 4): pieces += payload
        if kind not in (1, 4): continue
        record = wandb_internal_pb2.Record()
        record.ParseFromString(pieces)
        if record.WhichOneof('record_type') == 'history':
            rows.append({item.key: json.loads(item.value_json) for item in record.history.item if item.key})
    return rows
wb_folder, wb_metrics, wb_layers = tracked_run('wandb')
history = wandb_history(wb_folder)
wb_top1 = {row['step']: row[f'{CELL}/top1'] for row in history if f'{CELL}/top1' in row}
test_eq(wb_top1, dict(zip(wb_metrics.epoch.astype(int), wb_metrics.top1)))
wb_density = {k[len(f'{CELL}/density/'):]: v for row in history for k, v in row.items()
              if k.startswith(f'{CELL}/density/')}
test_eq(wb_density, dict(zip(wb_layers.parameter, wb_layers.density)))
""")
code('mlflow_run', """
from mlflow.tracking import MlflowClient
ml_folder, ml_metrics, ml_layers = tracked_run('mlflow')
os.environ.setdefault('MLFLOW_ALLOW_FILE_STORE', 'true')
client = MlflowClient(tracking_uri=(ml_folder/'mlruns').resolve().as_uri())
[ml_run] = client.search_runs([client.get_experiment_by_name('ntksap').experiment_id])
ml_top1 = {m.step: m.value for m in client.get_metric_history(ml_run.info.run_id, f'{CELL}/top1')}
test_eq(ml_top1, dict(zip(ml_metrics.epoch.astype(int), ml_metrics.top1)))
ml_density = {k[len(f'{CELL}/density/'):]: v for k, v in ml_run.data.metrics.items() if k.startswith(f'{CELL}/density/')}
test_eq(ml_density, dict(zip(ml_layers.parameter, ml_layers.density)))
test_eq(ml_run.data.params['logger'], 'mlflow')
test_eq(sorted(a.path for a in client.list_artifacts(ml_run.info.run_id, 'figures')),
        ['figures/accuracy.png', 'figures/layers.png'])
print(pd.DataFrame({'tensorboard': pd.Series(tb_top1), 'wandb (offline)': pd.Series(wb_top1),
                    'mlflow (file store)': pd.Series(ml_top1)}).rename_axis('epoch').to_string())
tracked.cleanup()
""")
md('import_light', """
## `import ntksap` stays light

None of this is imported by `import ntksap`, nor by `import ntksap.integrations`: Lightning, `transformers`,
TensorBoard, W&B and MLflow are imported by the function or class that uses them.
""")
code('import_check', """
import subprocess
probe = ("import sys, ntksap, ntksap.integrations; heavy = ('lightning', 'transformers', 'tensorboard', 'wandb', "
         "'mlflow'); print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))")
r = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True)
test_eq(r.stdout.strip(), '[]')
""")

cells_json = []
for kind, label, text in cells:
    cid = hashlib.sha256(f'16_integrations:{label}'.encode()).hexdigest()[:8]
    c = dict(cell_type=kind, id=cid, metadata={}, source=text.splitlines(keepends=True))
    if kind == 'code': c.update(execution_count=None, outputs=[])
    cells_json.append(c)
nb = dict(cells=cells_json, metadata=dict(kernelspec=dict(display_name='python3', language='python', name='python3')),
          nbformat=4, nbformat_minor=5)
path = ROOT/'nbs/16_integrations.ipynb'
path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
print('wrote', path, len(cells_json), 'cells')
