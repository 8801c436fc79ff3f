#%% imports
from __future__ import annotations
import os, sys, json, hashlib, warnings, functools
from pathlib import Path
import torch
from torch import nn
from ntksap.core import NtksapError
from ntksap.masks import MASK_SUFFIX, add_masks, masks_of, masked_parameters, keep_pruned_at_zero, apply_masks, MaskSet
from ntksap.masks import count_remaining, density_table

#%% seams
def _keep_pruned(model:nn.Module, optimizer:torch.optim.Optimizer) -> tuple:
    """THE SEAM that keeps a pruned model pruned through training: every integration of this module goes through it.
    Today: ntksap.masks' optimizer step hooks on a plain torch optimizer, and the weights masked again after each
    step: Lightning steps with a closure, which makes the gradients inside `step()`, after the step's pre-hook has
    masked them (returns the hooks' handles)."""
    handles = keep_pruned_at_zero(optimizer, model)
    after = optimizer.register_step_post_hook(lambda opt, args, kwargs: apply_masks(model))
    return (*handles, after)

def _ensure_masks(model:nn.Module, state_dict:dict=None) -> nn.Module:
    """THE SEAM that makes a fresh model able to take masks: before a masked `state_dict` (or checkpoint) is loaded
    into it, it gets a mask buffer for each `<param>_mask` key the state dict holds; without a state dict, the
    default masks of `add_masks` (when it has none). Returns `model`."""
    if state_dict is None:
        return model if masked_parameters(model) else add_masks(model)
    params = dict(model.named_parameters())
    for key in state_dict:
        if not key.endswith(MASK_SUFFIX) or key[:-len(MASK_SUFFIX)] not in params: continue
        owner_name, _, attr = key[:-len(MASK_SUFFIX)].rpartition('.')
        owner = model.get_submodule(owner_name)
        if not hasattr(owner, attr + MASK_SUFFIX):
            owner.register_buffer(attr + MASK_SUFFIX, torch.ones_like(params[key[:-len(MASK_SUFFIX)]]).detach())
    return model

#%% helpers
def pruned_weights_nonzero(model:nn.Module) -> int:
    "How many weights that a mask prunes are not exactly zero (0 for a model that stayed pruned)."
    return int(sum(int(((mk == 0) & (p.detach() != 0)).sum()) for _, mk, p in masked_parameters(model)))

def _is_unpruned(model:nn.Module) -> bool:
    "Whether every mask of `model` keeps everything (a model to prune, not one restored pruned)."
    return all(bool(mk.all()) for mk in masks_of(model).values())

def _plain_optimizer(optimizer):
    "The torch optimizer inside a wrapper (accelerate's `AcceleratedOptimizer`, Lightning's `LightningOptimizer`)."
    while not type(optimizer).__module__.startswith('torch.') and isinstance(getattr(optimizer, 'optimizer', None),
                                                                          torch.optim.Optimizer):
        optimizer = optimizer.optimizer
    return optimizer

def _batches(loader, count:int) -> list:
    "The first `count` batches of `loader` as `(x, y)` pairs."
    out = []
    for batch in loader:
        if isinstance(batch, dict): batch = (batch['input_ids'], batch.get('labels', batch['input_ids']))
        if not (isinstance(batch, (tuple, list)) and len(batch) >= 2):
            raise NtksapError(f"pruning data: a batch of the train loader is a {type(batch).__name__}, not (x, y); "
                              "pass data= to the callback")
        out.append((batch[0], batch[1]))
        if len(out) == count: break
    if not out: raise NtksapError("pruning data: the train loader yielded no batch")
    return out

def prune_summary(model:nn.Module, pruned=None) -> dict:
    "What an integration logs after pruning: the density, each masked parameter's density, the collapse check."
    r, t = count_remaining(model)
    table = density_table(model)
    collapsed = [n for n, mk in masks_of(model).items() if not bool(mk.any())]
    out = {'prune/density': r / max(t, 1), 'prune/remaining': float(r), 'prune/collapsed_layers': float(len(collapsed))}
    out.update({f'prune/density/{n}': float(d) for n, d in zip(table.parameter, table.density)})
    return out

def _prune_now(model:nn.Module, pruner, density:float, data, seed:int, options:dict, loss_fn=None):
    "Prune `model` with `ntksap.prune`; under torch.distributed, every rank then takes rank 0's masks."
    from ntksap.pruning import prune
    from ntksap.distributed import broadcast_masks
    kw = dict(options)
    if loss_fn is not None: kw['loss_fn'] = loss_fn
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)   # the collapse is logged (prune/collapsed_layers), not warned twice
        pruned = prune(model, pruner, density=density, data=data, seed=seed, **kw)
    broadcast_masks(model)
    return pruned

def _warn_collapse(summary:dict, who:str):
    if summary['prune/collapsed_layers'] > 0:
        warnings.warn(f"{who}: layer collapse: {int(summary['prune/collapsed_layers'])} masked layer(s) have no weight "
                      "left")

#%% lightning
@functools.cache
def _lightning_callback():
    "The Lightning callback class, built on first use (Lightning is imported only then)."
    from lightning.pytorch.callbacks import Callback

    class PruneAtInit(Callback):
        ("Prune the LightningModule at the start of fit with any ntksap pruner, keep it pruned through every optimizer "
         "step (DDP included), log what pruning did to the trainer's loggers, and carry the masks in checkpoints.")
        def __init__(self, pruner, # a pruner name (see `ntksap pruners`) or a Pruner
                     density:float, # the fraction of the prunable weights to keep
                     data=None, # what `ntksap.prune` takes (batches, a shape); None: the trainer's train loader
                     batches:int=1, # how many batches of the train loader prune (when `data` is None)
                     seed:int=0, # seeds the pruner's random draws
                     **options, # `ntksap.prune`'s other arguments (iterations, scope, loss_fn, ...)
                    ):
            self.pruner, self.density, self.data, self.batches, self.seed = pruner, density, data, batches, seed
            self.options, self.record, self._handles = options, {}, []
        def setup(self, trainer, pl_module, stage:str):
            # masks exist before a checkpoint is restored into the module (fit's ckpt_path=) and before DDP wraps it
            if stage == 'fit': _ensure_masks(pl_module)
        def on_train_start(self, trainer, pl_module):
            if _is_unpruned(pl_module):
                data = self.data if self.data is not None else _batches(trainer.train_dataloader, self.batches)
                pruned = _prune_now(pl_module, self.pruner, self.density, data, self.seed, self.options)
                self.record = dict(pruner=str(getattr(self.pruner, 'name', self.pruner)), density=float(self.density),
                                   achieved=float(pruned.density), step=int(trainer.global_step))
                summary = prune_summary(pl_module)
                _warn_collapse(summary, 'PruneAtInit')
                for logger in trainer.loggers: logger.log_metrics(summary, step=trainer.global_step)
            for optimizer in trainer.optimizers: self._handles += _keep_pruned(pl_module, _plain_optimizer(optimizer))
        def on_train_end(self, trainer, pl_module):
            for h in self._handles: h.remove()
            self._handles = []
            summary = prune_summary(pl_module)
            for logger in trainer.loggers:
                logger.log_metrics({'prune/density_at_end': summary['prune/density']}, step=trainer.global_step)
        def state_dict(self) -> dict: return dict(self.record)
        def load_state_dict(self, state_dict:dict): self.record = dict(state_dict)

    PruneAtInit.__module__, PruneAtInit.__qualname__ = __name__, 'PruneAtInit'   # its name in checkpoints and docs
    return PruneAtInit

@functools.cache
def _lightning_classifier():
    "A LightningModule around any classifier, built on first use."
    import lightning.pytorch as pl

    class Classifier(pl.LightningModule):
        "Any `nn.Module` classifier as a LightningModule: cross-entropy, SGD with momentum, top-1 logged."
        def __init__(self, model:nn.Module, lr:float=0.05):
            super().__init__()
            self.model, self.lr = model, lr
        def forward(self, x): return self.model(x)
        def training_step(self, batch, batch_idx):
            x, y = batch
            logits = self.model(x)
            loss = torch.nn.functional.cross_entropy(logits, y)
            self.log('train/loss', loss, prog_bar=False)
            self.log('train/top1', (logits.argmax(-1) == y).float().mean() * 100)
            return loss
        def configure_optimizers(self): return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9)

    Classifier.__module__, Classifier.__qualname__ = __name__, 'Classifier'   # its name in checkpoints and docs
    return Classifier

def digits_loader(split:str='train', # 'train' (4,000 digits) or 'test' (1,000)
                  batch_size:int=64, samples:int=None, # the first `samples` digits only (None: all)
                  channels:int=3, # the gray digit repeated (3: for the zoo's CIFAR-shaped models)
                  shuffle:bool=None, # None: shuffle the training split only (a seeded order)
                 ) -> torch.utils.data.DataLoader:
    "The embedded mnist5k digits as a normalised `(x, y)` DataLoader: for examples and tests of the integrations."
    from ntksap.cache import mnist5k_tensors
    from ntksap.datasets import dataset_info
    images, labels, _ = mnist5k_tensors(split)
    if samples is not None: images, labels = images[:samples], labels[:samples]
    info = dataset_info('mnist5k')
    x = ((images.float() / 255 - info.mean[0]) / info.std[0]).expand(-1, channels, -1, -1).contiguous()
    shuffle = split == 'train' if shuffle is None else shuffle
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, labels), batch_size=batch_size,
                                       shuffle=shuffle, generator=torch.Generator().manual_seed(0) if shuffle else None)

def load_pruned_checkpoint(module:nn.Module, # a fresh module (a LightningModule, or any nn.Module)
                           path, # a Lightning checkpoint (`.ckpt`) or a state dict saved with torch.save
                          ) -> nn.Module:
    "Load a checkpoint of a pruned model into a fresh `module`: masks first, then the weights; returns `module`."
    ckpt = torch.load(path, map_location='cpu', weights_only=True)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict): raise NtksapError(f"{path}: not a checkpoint or state dict")
    _ensure_masks(module, state)
    module.load_state_dict(state)
    return module

#%% hf
class _Logits(nn.Module):
    "A transformers model seen by a pruner: token ids in, logits out (pruners divide and rank plain tensors)."
    def __init__(self, model): super().__init__(); self.model = model
    def forward(self, input_ids): return self.model(input_ids=input_ids).logits

def token_loss(logits:torch.Tensor, labels:torch.Tensor) -> torch.Tensor:
    ("The loss a transformers model trains with: next-token cross-entropy for `(batch, tokens, vocab)` logits against "
     "`(batch, tokens)` ids (labels -100 ignored), plain cross-entropy for `(batch, classes)` logits.")
    import torch.nn.functional as F
    if logits.ndim == 3:
        return F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=-100)
    return F.cross_entropy(logits, labels)

MASKS_FILE = 'ntksap_masks.pt'   # beside a saved transformers model: its masks (save_pruned / load_pruned)

@functools.cache
def _hf_callback():
    "The transformers `TrainerCallback` class, built on first use (transformers is imported only then)."
    from transformers import TrainerCallback

    class PruneAtInitHF(TrainerCallback):
        ("Prune a transformers model before the first step of `Trainer.train()` with any ntksap pruner from token-id "
         "batches, keep it pruned, log what pruning did, and keep the masks in every checkpoint folder.")
        def __init__(self, pruner, density:float, data=None, batches:int=1, seed:int=0, loss_fn=token_loss,
                     **options):
            self.pruner, self.density, self.data, self.batches, self.seed = pruner, density, data, batches, seed
            self.loss_fn, self.options, self.summary, self._handles = loss_fn, options, {}, []
        def on_init_end(self, args, state, control, model=None, **kwargs):
            # masks before `train(resume_from_checkpoint=...)` loads a checkpoint (it loads non-strictly: a model
            # without mask buffers would drop them without a word)
            _ensure_masks(model)
        def on_train_begin(self, args, state, control, model=None, optimizer=None, train_dataloader=None, **kwargs):
            if _is_unpruned(model):
                data = self.data if self.data is not None else _batches(train_dataloader, self.batches)
                device = next(model.parameters()).device
                data = [(x.to(device), y.to(device)) for x, y in data]
                _prune_now(_Logits(model), self.pruner, self.density, data, self.seed, self.options, self.loss_fn)
                self.summary = prune_summary(model)
                _warn_collapse(self.summary, 'PruneAtInitHF')
                # the Trainer's record of the run (trainer_state.json in every checkpoint folder)
                state.log_history.append(dict(self.summary, step=state.global_step))
            self._handles += _keep_pruned(model, _plain_optimizer(optimizer))
        def on_save(self, args, state, control, model=None, **kwargs):
            folder = Path(args.output_dir)/f'checkpoint-{state.global_step}'
            if folder.is_dir() and state.is_world_process_zero: MaskSet.from_model(model).save(folder/MASKS_FILE)
        def on_train_end(self, args, state, control, **kwargs):
            for h in self._handles: h.remove()
            self._handles = []

    PruneAtInitHF.__module__, PruneAtInitHF.__qualname__ = __name__, 'PruneAtInitHF'   # its name in checkpoints and docs
    return PruneAtInitHF

def save_pruned(model:nn.Module, path, **kwargs) -> Path:
    ("`model.save_pretrained(path)` plus the masks in `path/ntksap_masks.pt` (the pruned weights are saved as the "
     "zeros they are); `load_pruned` reads both back.")
    model.save_pretrained(path, **kwargs)
    MaskSet.from_model(model).save(Path(path)/MASKS_FILE)
    return Path(path)

def load_pruned(model_class, # a transformers model class, e.g. `AutoModelForCausalLM`
                path, # a folder written by `save_pruned` (or a `Trainer` checkpoint folder with its masks)
                **kwargs, # for `from_pretrained`
               ) -> nn.Module:
    "`model_class.from_pretrained(path)` with its masks: a model that loads, trains and saves pruned."
    from ntksap.masks import apply_mask_set
    masks_path = Path(path)/MASKS_FILE
    if not masks_path.is_file(): raise NtksapError(f"{path}: no {MASKS_FILE} (save the model with save_pruned)")
    masks = MaskSet.load(masks_path)
    model = model_class.from_pretrained(path, **kwargs)
    _ensure_masks(model, {n + MASK_SUFFIX: v for n, v in masks.items()})
    apply_mask_set(model, masks, allow_grow=True)   # the fresh buffers are ones: the saved masks only shrink them
    return model

#%% trackers
class _TensorBoard:
    "Scalars, text and images in a TensorBoard event file under the run folder (`RUN/tensorboard`)."
    def __init__(self, folder:Path, name:str, settings:dict):
        from torch.utils.tensorboard import SummaryWriter
        self.writer = SummaryWriter(log_dir=str(folder/'tensorboard'))
        self.writer.add_text('settings', '    ' + json.dumps(settings, indent=1, default=str).replace('\n', '\n    '))
    def scalars(self, values:dict, step:int):
        for k, v in values.items(): self.writer.add_scalar(k, v, step)
        self.writer.flush()
    def table(self, name:str, df):
        self.writer.add_text(name, '    ' + df.to_csv(index=False).replace('\n', '\n    '))
    def figure(self, name:str, png:Path):
        import matplotlib.image as mpimg
        self.writer.add_image(name, mpimg.imread(str(png))[..., :3], dataformats='HWC')
    def close(self): self.writer.close()

class _Wandb:
    "A Weights & Biases run: offline (files under `RUN/wandb`, `wandb sync` uploads them) unless W&B is configured."
    def __init__(self, folder:Path, name:str, settings:dict):
        import wandb
        mode = os.environ.get('WANDB_MODE') or ('online' if os.environ.get('WANDB_API_KEY') else 'offline')
        run_id = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]   # a resumed run continues its own
        self.wandb = wandb
        self.run = wandb.init(mode=mode, dir=str(folder), project=os.environ.get('WANDB_PROJECT', 'ntksap'),
                              name=name, id=run_id, resume='allow', config=settings, reinit='create_new',
                              settings=wandb.Settings(silent=True, console='off'))
    def scalars(self, values:dict, step:int): self.run.log(dict(values, step=step))
    def table(self, name:str, df): self.run.log({name: self.wandb.Table(dataframe=df)})
    def figure(self, name:str, png:Path): self.run.log({name: self.wandb.Image(str(png))})
    def close(self): self.run.finish()

class _MLflow:
    "An MLflow run: on the server of MLFLOW_TRACKING_URI, else in a file store in the run folder (`RUN/mlruns`)."
    def __init__(self, folder:Path, name:str, settings:dict):
        uri = os.environ.get('MLFLOW_TRACKING_URI')
        if not uri:
            uri = (folder/'mlruns').resolve().as_uri()
            os.environ.setdefault('MLFLOW_ALLOW_FILE_STORE', 'true')   # MLflow 3 asks for this opt-in to a file store
        from mlflow.tracking import MlflowClient
        self.client = MlflowClient(tracking_uri=uri)
        experiment = self.client.get_experiment_by_name('ntksap')
        eid = experiment.experiment_id if experiment else self.client.create_experiment('ntksap')
        self.run_id = self.client.create_run(eid, run_name=name).info.run_id
        for k, v in settings.items(): self.client.log_param(self.run_id, k, str(v)[:500])
    def scalars(self, values:dict, step:int):
        for k, v in values.items(): self.client.log_metric(self.run_id, _mlflow_key(k), float(v), step=step)
    def table(self, name:str, df): self.client.log_text(self.run_id, df.to_csv(index=False), f'{name}.csv')
    def figure(self, name:str, png:Path): self.client.log_artifact(self.run_id, str(png), 'figures')
    def close(self): self.client.set_terminated(self.run_id)

def _mlflow_key(key:str) -> str:
    "MLflow's metric names allow letters, digits and `_-./ `: anything else becomes `_`."
    return ''.join(c if c.isalnum() or c in '_-./ ' else '_' for c in key)

_TRACKER_CLASSES = dict(tensorboard=_TensorBoard, wandb=_Wandb, mlflow=_MLflow)
_OPEN = {}   # run folder -> its open tracker (None once it failed: one warning, then the run goes on without it)

class RunTracker:
    "One run's tracker: never raises; the first failure is one warning line, and the tracker is off after it."
    def __init__(self, kind:str, folder, name:str, settings:dict):
        self.kind, self.folder, self.impl = kind, Path(folder), None
        try: self.impl = _TRACKER_CLASSES[kind](self.folder, name, settings)
        except Exception as e: self._fail('could not start', e)
    def _fail(self, what:str, e:Exception):
        print(f"ntksap: warning: the {self.kind} logger {what} ({type(e).__name__}: "
              f"{' '.join(str(e).split())[:200]}); the run goes on, its results are in {self.folder}",
              file=sys.stderr, flush=True)
        self.impl = None
    def _call(self, method:str, *args):
        if self.impl is None: return
        try: getattr(self.impl, method)(*args)
        except Exception as e: self._fail(f'failed ({method})', e)
    def scalars(self, values:dict, step:int): self._call('scalars', values, step)
    def table(self, name:str, df): self._call('table', name, df)
    def figure(self, name:str, png): self._call('figure', name, Path(png))
    def close(self): self._call('close')

def cell_label(key:dict) -> str:
    "A cell's prefix in the tracker: pruner, compression and level (one run folder may hold many cells)."
    return f"{key['pruner']}-c{key['compression']:g}-l{key['level']}"

def _tracker_for(s, rf) -> RunTracker:
    path = str(Path(rf.path).resolve())
    if path not in _OPEN:
        _OPEN[path] = RunTracker(s.logger, rf.path, f'{s.experiment}/{Path(rf.path).name}', s.to_dict())
    return _OPEN[path]

def track_epoch(s, # the run's Settings (`s.logger` names the tracker)
                rf, # its RunFolder
                key:dict, # the cell (`cell_key`)
                row:dict, # the epoch's metrics row (epoch, lr, loss, top1, top5, ...)
               ):
    "Log one epoch of one cell to the run's tracker (opened on first use)."
    if s.logger == 'none' or rf is None: return
    values = {f'{cell_label(key)}/{k}': float(v) for k, v in row.items()
              if k != 'epoch' and isinstance(v, (int, float)) and not isinstance(v, bool)}
    _tracker_for(s, rf).scalars(values, int(row['epoch']))

def track_run_end(s, rf):
    ("At the end of a run, log what its folder holds: each cell's per-epoch metrics when not logged live, its per-layer "
     "density table (as a table and as scalars), its summary and the report's figures; then close the tracker.")
    if s.logger == 'none' or rf is None: return
    from ntksap.results import load_frame
    tracker, folder = _tracker_for(s, rf), Path(rf.path)
    for layers in sorted(folder.glob('layers-*.csv')):
        cell = layers.stem[len('layers-'):]
        table = load_frame(layers, 'per-layer table', ('parameter', 'density'))
        tracker.table(f'{cell}/layers', table)
        tracker.scalars({f'{cell}/density/{p}': float(d) for p, d in zip(table.parameter, table.density)}, 0)
    if rf.summary.exists():
        for rec in json.loads(rf.summary.read_text()):
            label = cell_label(dict(pruner=rec['pruner'], compression=rec['compression'], level=rec['level']))
            tracker.scalars({f'{label}/final/{k}': float(rec[k]) for k in
                             ('top1', 'top5', 'best_top1', 'param_density', 'flop_density') if k in rec}, 0)
    for png in sorted(folder.glob('*.png')): tracker.figure(f'report/{png.stem}', png)
    tracker.close()
    _OPEN.pop(str(folder.resolve()), None)

#%% getattr
_LAZY = {'PruneAtInit': _lightning_callback, 'Classifier': _lightning_classifier, 'PruneAtInitHF': _hf_callback}

def __getattr__(name:str):
    "`PruneAtInit`, `Classifier` (Lightning) and `PruneAtInitHF` (transformers), built when first imported."
    if name in _LAZY: return _LAZY[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
