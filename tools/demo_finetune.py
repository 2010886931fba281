# Copyright (c) OpenMMLab. All rights reserved.
"""`make demo-finetune`: pretrain -> fine-tune -> test on the demo clips.

Runs the user-facing tools one after the other, exactly as documented in
docs/finetune.md: ``tools/demo.py`` (demo data + a tiny MotionMAE
pretraining, unless ``--checkpoint`` is given), then ``tools/train.py`` with
``configs/demo/finetune_vit-tiny_digits-demo.py`` from that checkpoint and,
as the baseline, from a random encoder, then ``tools/test.py`` on the test
split.
Prints a Markdown table (also written to ``WORK_DIR/results.md``).
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys
import time
from typing import Dict, List, Optional

from motionmae_mm.utils.cli import UserError, add_traceback_flag, user_errors

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
FINETUNE = osp.join(REPO, 'configs/demo/finetune_vit-tiny_digits-demo.py')
SCRATCH = osp.join(REPO,
                   'configs/demo/finetune_vit-tiny_scratch_digits-demo.py')
CHANCE = 1 / 8


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--checkpoint',
        help='pretraining checkpoint to fine-tune (default: run tools/demo.py)')
    parser.add_argument('--data-root', default='data/demo_digits')
    parser.add_argument('--work-dir', default='work_dirs/demo_finetune')
    parser.add_argument(
        '--no-scratch',
        action='store_true',
        help='skip the random-encoder baseline (halves the time)')
    return add_traceback_flag(parser).parse_args()


def run(cmd: List[str], log: str) -> str:
    """Run a tool, tee its output to ``log``, stop on failure."""
    print('$', ' '.join(cmd), flush=True)
    proc = subprocess.run(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    with open(log, 'w') as f:
        f.write(proc.stdout)
    if proc.returncode:
        tail = proc.stdout.strip().splitlines()[-1:] or ['(no output)']
        raise UserError(f'{cmd[1]} failed ({log}): {tail[0]}')
    return proc.stdout


def data_options(data_root: str) -> List[str]:
    """``--cfg-options`` pointing every split of the configs at a root."""
    opts = []
    for split in ('train', 'val', 'test'):
        key = f'{split}_dataloader.dataset'
        opts += [
            f'{key}.ann_file={data_root}/{split}.txt',
            f'{key}.data_prefix.video={data_root}'
        ]
    return opts


def finetune_and_test(name: str, config: str, work_dir: str,
                      data_root: str, checkpoint: Optional[str]) -> Dict:
    """Train ``config`` and test its last checkpoint; returns the metrics."""
    out = osp.join(work_dir, name)
    options = data_options(data_root)
    if checkpoint:
        options.append(f'model.backbone.init_cfg.checkpoint={checkpoint}')
    start = time.time()
    run([
        sys.executable, 'tools/train.py', config, '--work-dir', out,
        '--cfg-options', *options
    ], osp.join(work_dir, f'{name}_train.log'))
    train_s = time.time() - start
    with open(osp.join(out, 'last_checkpoint')) as f:
        last = f.read().strip()
    text = run([
        sys.executable, 'tools/test.py', config, last, '--work-dir', out,
        '--cfg-options', *options
    ], osp.join(work_dir, f'{name}_test.log'))
    lines = [line for line in text.splitlines() if 'acc/top1:' in line]
    if not lines:
        raise UserError(f'no acc/top1 line in {name}_test.log')
    metrics = dict(re.findall(r'(acc/\w+): ([0-9.]+)', lines[-1]))
    return dict(
        train_min=train_s / 60,
        **{k: 100 * float(v) for k, v in metrics.items()})


def main() -> None:
    args = parse_args()
    with user_errors(args.traceback):
        demo_finetune(args)


def demo_finetune(args: argparse.Namespace) -> None:
    """Pretrain (or take --checkpoint), fine-tune, test, print a table."""
    work_dir = osp.abspath(args.work_dir)
    data_root = osp.abspath(args.data_root)
    os.makedirs(work_dir, exist_ok=True)
    checkpoint = args.checkpoint and osp.abspath(args.checkpoint)
    if checkpoint is None:
        text = run([
            sys.executable, 'tools/demo.py', '--data-root', data_root,
            '--work-dir',
            osp.join(work_dir, 'pretrain')
        ], osp.join(work_dir, 'pretrain.log'))
        checkpoint = re.search(r'^checkpoint: (.+)$', text, re.M).group(1)
    elif not osp.isfile(checkpoint):
        raise UserError(f'--checkpoint {checkpoint} does not exist')
    elif not osp.isfile(osp.join(data_root, 'test.txt')):
        raise UserError(f'{data_root}/test.txt not found: `make demo` '
                        '(tools/demo.py) writes the data')
    runs = [('finetune', FINETUNE, checkpoint)]
    if not args.no_scratch:
        runs.append(('scratch', SCRATCH, None))
    results = {
        name: finetune_and_test(name, config, work_dir, data_root, ckpt)
        for name, config, ckpt in runs
    }
    labels = dict(
        finetune=f'fine-tuned from `{osp.relpath(checkpoint, REPO)}`',
        scratch='same recipe, random encoder')
    lines = [
        f'Demo fine-tune on {data_root} (8 directions, chance '
        f'{100 * CHANCE:.1f} %), test split, `tools/test.py` views:', '',
        '| run | test top-1 % | test top-5 % | mean class acc % | '
        'train min |', '|---|---:|---:|---:|---:|'
    ]
    for name, r in results.items():
        lines.append(f'| {labels[name]} | {r["acc/top1"]:.1f} | '
                     f'{r["acc/top5"]:.1f} | {r["acc/mean1"]:.1f} | '
                     f'{r["train_min"]:.1f} |')
    table = '\n'.join(lines)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    print(table)
    print(f'results: {osp.join(work_dir, "results.md")}')


if __name__ == '__main__':
    main()
