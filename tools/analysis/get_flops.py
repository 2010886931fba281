# Copyright (c) OpenMMLab. All rights reserved.
"""Parameters and FLOPs of a MotionMAE pretraining model, per part.

Library code: :mod:`motionmae_mm.analysis.flops`.

FLOPs are counted with ``torch.utils.flop_counter`` (2 per multiply-add) on
one masked pretraining pass; ``--backward`` adds the backward pass. Fused
attention kernels count as the plain attention they compute (the recompute
inside a flash backward is not counted), so the SDPA model and a
manual-attention one of the same size count the same. Parameters come from
``mmengine.analysis.parameter_count``.

Example::

    python tools/analysis/get_flops.py configs/motionmae_vitb_ssv2.py
    python tools/analysis/get_flops.py configs/motionmae_vitb_ssv2.py \\
        --backward --json
"""
import argparse
import json

import torch


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Parameters and FLOPs of a MotionMAE pretraining model')
    parser.add_argument('config', help='pretraining config file')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='clips per pass')
    parser.add_argument(
        '--backward',
        action='store_true',
        help='count forward + backward (a training step without the '
        'optimizer)')
    parser.add_argument('--json', action='store_true', help='print JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=None,
        help='override config settings, key=value pairs (a.b.c=1)')
    return parser.parse_args()


def main() -> None:
    from motionmae_mm.analysis import (PARTS, build_model, clip_shape,
                                       count_flops, count_params)
    args = parse_args()
    model, _ = build_model(args.config, args.cfg_options)
    model.train()
    shape = clip_shape(model)
    inputs = torch.rand(args.batch_size, 1, *shape) * 255
    inputs = model.data_preprocessor(
        dict(inputs=list(inputs), data_samples=None), True)['inputs']

    def run() -> None:
        losses = model(inputs, mode='loss')
        if args.backward:
            sum(losses.values()).backward()

    total, per_part = count_flops(run, model)
    params = count_params(model)
    res = dict(
        config=args.config,
        batch_size=args.batch_size,
        clip='x'.join(map(str, shape[1:])),
        backward=args.backward,
        params=params[''],
        gflops=total / 1e9)
    for part in PARTS:
        res[f'{part}_params'] = params.get(part, 0)
        res[f'{part}_gflops'] = per_part.get(part, 0) / 1e9
    if args.json:
        print(json.dumps(res))
        return
    print(f'{"part":<10}{"params (M)":>12}{"GFLOPs":>12}')
    for part in PARTS:
        print(f'{part:<10}{res[part + "_params"] / 1e6:>12.2f}'
              f'{res[part + "_gflops"]:>12.2f}')
    print(f'{"total":<10}{res["params"] / 1e6:>12.2f}{res["gflops"]:>12.2f}')
    print('get_flops: ' +
          ' '.join(f'{k}={v:.4f}' if isinstance(v, float) else f'{k}={v}'
                   for k, v in res.items()))


if __name__ == '__main__':
    main()
