# Copyright (c) OpenMMLab. All rights reserved.
"""Test a recognizer: top-1/top-5 (mmaction2 ``AccMetric``), multi-view.

The config's ``test_pipeline`` sets the views (e.g. 2 clips x 3 crops for
SSv2); scores of all views of a video are averaged (``average_clips``).
Input problems (missing checkpoint, bad labels, key mismatches) end with a
one-line ``error: ...`` and exit code 1 (``--traceback`` for details).
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

import motionmae_mm  # noqa: F401  (registers modules, checkpoint allow-list)
from motionmae_mm.apis import adapt_cfg_to_machine, build_runner
from motionmae_mm.utils import load_model_weights
from motionmae_mm.utils.cli import add_traceback_flag, user_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a recognizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs (a.b.c=1)')
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
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: must end with .pkl')
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluator = cfg.test_evaluator
        cfg.test_evaluator = (list(evaluator) if isinstance(
            evaluator, (list, tuple)) else [evaluator]) + [dump_metric]
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # the weights come from CHECKPOINT: do not load a pretrained encoder
    backbone = cfg.model.get('backbone', {})
    if isinstance(backbone.get('init_cfg'), dict) and \
            backbone.init_cfg.get('type') == 'Pretrained':
        backbone.init_cfg = None
    cfg.load_from = None  # loaded strictly by load_weights
    return cfg


def load_weights(runner: Runner, checkpoint: str) -> None:
    """Load every model tensor of ``checkpoint``; fail on any mismatch.

    mmengine's ``load_from`` only logs missing keys, which would test a
    partly random model. ``.pth`` or ``.safetensors``, read as data; a
    mismatch is one summarised ``CheckpointError`` line.
    """
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    load_model_weights(model, checkpoint, 'CHECKPOINT')


def main() -> int:
    args = parse_args()
    with user_errors(args.traceback, config=args.config) as ctx:
        if not osp.isfile(args.checkpoint):
            raise FileNotFoundError(
                f'CHECKPOINT: no such file: {args.checkpoint}')
        ctx.cfg = cfg = merge_args(Config.fromfile(args.config), args)
        runner = build_runner(adapt_cfg_to_machine(cfg))
        load_weights(runner, args.checkpoint)
        metrics = runner.test()
    if is_main_process():  # one result line, not one per rank
        print(' '.join(f'{k}: {v:.4f}' for k, v in metrics.items()
                       if isinstance(v, float)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
