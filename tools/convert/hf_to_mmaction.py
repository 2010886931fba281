# Copyright (c) OpenMMLab. All rights reserved.
"""Import a Hugging Face VideoMAE folder as a motionmae_mm checkpoint.

    python tools/convert/hf_to_mmaction.py HF_DIR OUT.pth

Writes ``{'state_dict': {'backbone.*', ...}, 'meta': {...}}`` with mmaction2
``VisionTransformer`` keys (``init_cfg=dict(type='Pretrained',
checkpoint=OUT.pth, prefix='backbone.')`` loads it) and a config in
``meta['cfg']`` our tools rebuild the model from. A classification folder
also gives ``cls_head.fc_cls.*``, a pretraining folder the decoder
(``neck.*``) and pixel head (``head.predictors.appearance.*``).
"""
import argparse
import sys
import warnings


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('hf_dir', metavar='HF_DIR', help='VideoMAE folder')
    parser.add_argument('out', metavar='OUT.pth', help='output checkpoint')
    parser.add_argument(
        '--traceback', action='store_true', help='full traceback on error')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    # mmcv-lite: nothing here uses the compiled ops it warns about
    warnings.filterwarnings('ignore', message='Fail to import ``MultiScale')
    try:
        from motionmae_mm.convert import import_from_hf
        ckpt = import_from_hf(args.hf_dir, args.out)
    except Exception as err:
        if args.traceback:
            raise
        if getattr(err, 'name', None) in ('transformers', 'safetensors'):
            err = f'{err}: pip install transformers'
        line = ' '.join(str(err).split())[:280]
        print(f'error: {line} (--traceback for details)', file=sys.stderr)
        return 1
    meta = ckpt['meta']
    print(f'{meta["hf_architecture"]} -> {meta["kind"]} checkpoint: encoder '
          f'{meta["depth"]} blocks x {meta["embed_dims"]}, classes '
          f'{meta["num_classes"]}; {len(ckpt["state_dict"])} tensors -> '
          f'{args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
