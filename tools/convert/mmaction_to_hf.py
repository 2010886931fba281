# Copyright (c) OpenMMLab. All rights reserved.
"""Export a motionmae_mm checkpoint as a Hugging Face VideoMAE folder.

    python tools/convert/mmaction_to_hf.py CKPT OUT_DIR

A pretraining checkpoint becomes ``VideoMAEForPreTraining`` (encoder,
decoder, appearance head; the motion head has no Hugging Face counterpart
and is left out), a fine-tuned one ``VideoMAEForVideoClassification``;
``transformers.VideoMAEModel.from_pretrained(OUT_DIR)`` loads the encoder
of either. The architecture comes from the checkpoint's stored config
(``--config`` when it has none). The folder is reloaded and compared with
our model on a fixed random clip (``--no-verify`` skips). docs/interop.md.
"""
import argparse
import sys
import warnings


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', metavar='CKPT', help='our .pth file')
    parser.add_argument('out_dir', metavar='OUT_DIR', help='output folder')
    parser.add_argument(
        '--config', help='model config, for a checkpoint without meta[cfg]')
    parser.add_argument(
        '--encoder-only',
        action='store_true',
        help='export the encoder alone (VideoMAEModel)')
    parser.add_argument(
        '--no-verify',
        action='store_true',
        help='do not reload the folder and compare outputs')
    parser.add_argument(
        '--traceback', action='store_true', help='full traceback on error')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    # mmcv-lite: nothing here uses the compiled ops it warns about
    warnings.filterwarnings('ignore', message='Fail to import ``MultiScale')
    try:
        from motionmae_mm.convert import export_to_hf
        result = export_to_hf(
            args.checkpoint,
            args.out_dir,
            config=args.config,
            encoder_only=args.encoder_only,
            verify=not args.no_verify)
    except Exception as err:
        if args.traceback:
            raise
        if getattr(err, 'name', None) in ('transformers', 'safetensors'):
            err = f'{err}: pip install transformers'
        line = ' '.join(str(err).split())[:280]
        print(f'error: {line} (--traceback for details)', file=sys.stderr)
        return 1
    c = result.config
    print(f'{result.architecture}: encoder {c["num_hidden_layers"]} blocks x '
          f'{c["hidden_size"]}, patch {c["tubelet_size"]}x{c["patch_size"]}x'
          f'{c["patch_size"]}, {c["num_frames"]} frames at {c["image_size"]}'
          f' px; {result.num_tensors} tensors -> {result.out_dir}')
    for note in result.notes:
        print(f'note: {note}')
    if result.max_diff:
        print('verified: ' + ', '.join(f'{k} max |diff| {v:.2g}'
                                       for k, v in result.max_diff.items()) +
              ' (random clip, from_pretrained)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
