# Copyright (c) OpenMMLab. All rights reserved.
"""Train (pretrain or fine-tune) from a config, mmaction2-style."""
import argparse
import gc
import os
import os.path as osp
import sys

import torch.distributed as dist

from mmengine.config import Config, DictAction

import motionmae_mm  # noqa: F401  (registers modules, checkpoint allow-list)
from motionmae_mm.apis import AMP_TWIN, adapt_cfg_to_machine, build_runner
from motionmae_mm.engine import TrainingPreempted
from motionmae_mm.visualization import add_vis_backend
from motionmae_mm.utils.cli import add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or (no value) from the latest '
        'checkpoint in the work directory')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision: fp16 with loss scaling on a GPU, bf16 '
        'autocast on a CPU with native bf16 kernels (else fp32)')
    parser.add_argument(
        '--no-validate', action='store_true', help='skip validation')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by real batch size / auto_scale_lr.base_batch_size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='different seeds for different ranks')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='deterministic options for the CUDNN backend')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs (a.b.c=1)')
    parser.add_argument(
        '--tensorboard',
        action='store_true',
        help='also log losses, lr and pictures to TensorBoard '
        '(work_dir/<timestamp>/vis_data)')
    parser.add_argument(
        '--wandb',
        action='store_true',
        help='also log to Weights & Biases (needs the wandb package)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    add_traceback_flag(parser)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge command-line arguments into the config."""
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = AMP_TWIN.get(cfg.optim_wrapper.type,
                                              cfg.optim_wrapper.type)
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg.get('randomness') is None:
        cfg.randomness = dict(
            seed=args.seed,
            diff_rank_seed=args.diff_rank_seed,
            deterministic=args.deterministic)
    elif args.seed is not None:
        cfg.randomness.seed = args.seed
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return add_logging_backends(cfg, args)


def add_logging_backends(cfg: Config,
                         args: argparse.Namespace) -> Config:
    """``--tensorboard`` / ``--wandb``: extra visualizer backends."""
    for name in ('tensorboard', 'wandb'):
        if getattr(args, name):
            add_vis_backend(cfg, name)
    return cfg


def shutdown_distributed() -> None:
    """After training: wait for every rank, then tear the group down.

    Left to interpreter exit (with the DDP wrapper still holding the gloo
    group), a rank sometimes aborted after training had finished
    ("terminate called without an active exception"), and the launcher
    then killed the run with a non-zero exit. Call with the runner freed.
    """
    if dist.is_available() and dist.is_initialized():
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()


def main() -> int:
    args = parse_args()
    with user_errors(args.traceback, config=args.config) as ctx:
        ctx.cfg = cfg = merge_args(Config.fromfile(args.config), args)
        runner = build_runner(adapt_cfg_to_machine(cfg))
        code = 0
        try:
            runner.train()
        except TrainingPreempted as stop:  # saved: leave like a finished run
            code = stop.code
        del runner  # its DDP wrapper holds the process group
        shutdown_distributed()
    return code


if __name__ == '__main__':
    sys.exit(main())
