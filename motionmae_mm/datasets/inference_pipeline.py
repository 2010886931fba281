# Copyright (c) OpenMMLab. All rights reserved.
"""The one test-time video pipeline of the inference APIs.

:func:`~motionmae_mm.datasets.video_inputs.load_video_inputs` (reconstructions, probes,
checkpoint conversion checks) and
:func:`~motionmae_mm.apis.feature_extraction.feature_pipeline` (feature extraction) both take
their transforms from :func:`inference_pipeline`, so a model sees the same
frames whichever API feeds it:

* a config with a test-time pipeline (``test_dataloader``, else
  ``val_dataloader``: fine-tune configs) gives it, with only the clip count
  (and, when asked, clip length and frame interval) and the crop count
  replaced; its resize and crop sizes, interpolation and any other step
  stay;
* a config without one (pretraining configs) gets mmaction2's usual test
  pipeline, built from the training pipeline's ``SampleFrames`` interval
  and the encoder's clip length and input size.

VOS evaluation (``motionmae_mm/evaluation/vos``) reads JPEG frame folders,
not videos, and keeps its own loading.
"""
import copy
from typing import List, Optional

from torch import nn

CROPS = ('CenterCrop', 'ThreeCrop', 'TenCrop')
SAMPLERS = ('SampleFrames', 'UniformSample')
# wrappers that turn a loading error into a skipped sample: at inference an
# error must reach the caller, not be redrawn
SKIPPING_WRAPPERS = ('MotionMAESafeLoad', )


def find_transform(pipeline: list, name: str) -> Optional[dict]:
    """First transform of type ``name``, looking inside wrappers."""
    for step in pipeline:
        if step.get('type') == name:
            return step
        found = find_transform(step.get('transforms', []), name)
        if found is not None:
            return found
    return None


def unwrap_skipping(pipeline: list) -> List[dict]:
    """``pipeline`` (copied) with skip-on-error wrappers replaced by the
    transforms they wrap."""
    steps = []
    for step in pipeline:
        if step.get('type') in SKIPPING_WRAPPERS:
            steps.extend(unwrap_skipping(step['transforms']))
        else:
            steps.append(copy.deepcopy(dict(step)))
    return steps


def config_test_pipeline(cfg) -> Optional[List[dict]]:
    """The config's test-time pipeline (test loader, else val loader), or
    None when it has neither (pretraining configs)."""
    for key in ('test_dataloader', 'val_dataloader'):
        loader = cfg.get(key) if cfg is not None else None
        pipeline = (loader or {}).get('dataset', {}).get('pipeline')
        if pipeline:
            return [dict(step) for step in pipeline]
    return None


def _encoder_input(model: nn.Module) -> tuple:
    """(frames, pixels) of one clip the encoder takes."""
    backbone = model.backbone
    return backbone.num_frames, backbone.grid_size[0] * backbone.patch_size


def _derived_pipeline(model: nn.Module, crops: int,
                      whole_frame: bool) -> List[dict]:
    """mmaction2's test pipeline for a config without one: the training
    ``SampleFrames`` interval, the encoder's clip length and input size."""
    cfg = getattr(model, 'cfg', None)
    train = cfg.get('train_dataloader') if cfg is not None else None
    sample = find_transform(train.dataset.pipeline,
                            'SampleFrames') if train else None
    frames, size = _encoder_input(model)
    if whole_frame:
        spatial = [dict(type='Resize', scale=(size, size), keep_ratio=False)]
    else:
        spatial = [
            dict(type='Resize', scale=(-1, size)),
            dict(type=CROPS[0] if crops == 1 else CROPS[1], crop_size=size)
        ]
    return [
        dict(type='DecordInit'),
        dict(
            type='SampleFrames',
            clip_len=frames,
            frame_interval=(sample or {}).get('frame_interval', 1),
            num_clips=1,
            test_mode=True),
        dict(type='DecordDecode'),
        *spatial,
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]


def _set_sampling(pipeline: List[dict], num_clips: int,
                  clip_len: Optional[int],
                  frame_interval: Optional[int]) -> None:
    """Give the pipeline's frame sampler the requested clips, in place."""
    sampler = next((s for s in pipeline if s['type'] in SAMPLERS), None)
    if sampler is None:
        raise ValueError('the test pipeline has no frame sampler (one of '
                         f'{", ".join(SAMPLERS)})')
    sampler.update(num_clips=num_clips, test_mode=True)
    if clip_len is not None:
        sampler['clip_len'] = clip_len
    if frame_interval is not None:
        if sampler['type'] != 'SampleFrames':
            raise ValueError(f'frame_interval {frame_interval}: the test '
                             f"pipeline's {sampler['type']} has none")
        sampler['frame_interval'] = frame_interval


def _set_crops(pipeline: List[dict], crops: int, size: int) -> None:
    """Give the pipeline ``crops`` crops, in place: the crop step becomes
    ``CenterCrop`` or ``ThreeCrop`` of its own size. A pipeline without one
    keeps its single view for 1 crop, and for 3 gets a ``ThreeCrop`` of
    the encoder's size after its last resize."""
    kind = CROPS[0] if crops == 1 else CROPS[1]
    for i, step in enumerate(pipeline):
        if step['type'] in CROPS:
            pipeline[i] = dict(type=kind, crop_size=step['crop_size'])
            return
    if crops == 3:
        last = max(
            (i for i, s in enumerate(pipeline) if s['type'] == 'Resize'),
            default=None)
        if last is None:
            raise ValueError('crops 3: the test pipeline has no resize to '
                             'crop after')
        pipeline.insert(last + 1, dict(type=kind, crop_size=size))


def inference_pipeline(model: nn.Module,
                       num_clips: int = 1,
                       crops: int = 1,
                       frame_interval: Optional[int] = None,
                       clip_len: Optional[int] = None,
                       whole_frame: bool = False) -> List[dict]:
    """Test-time transforms of one video for ``model`` (a copy to Compose).

    Args:
        model: A model built by :func:`~motionmae_mm.apis.init_model` (its
            ``cfg`` is read; the backbone gives clip length and size).
        num_clips: Evenly spaced clips per video.
        crops: 1 (centre) or 3 (along the long side) crops per clip.
        frame_interval: Frame step of ``SampleFrames``; None keeps the
            config's (the training one's for a derived pipeline, else 1).
        clip_len: Frames per clip; None keeps the test pipeline's (the
            encoder's for a derived pipeline).
        whole_frame: Without a test pipeline in the config, resize the
            whole frame to the encoder's square input instead of resizing
            the short side and cropping (1 crop only). A config's own test
            pipeline is used as it is.

    Returns:
        list[dict]: Transforms from decoding to ``PackActionInputs``, with
        no skip-on-error wrapper: an unreadable video raises.
    """
    if crops not in (1, 3):
        raise ValueError(f'crops {crops}: must be 1 (centre) or 3')
    if num_clips < 1:
        raise ValueError(f'num_clips {num_clips}: must be >= 1')
    if whole_frame and crops != 1:
        raise ValueError('whole_frame: only with 1 crop')
    pipeline = config_test_pipeline(getattr(model, 'cfg', None))
    if pipeline is None:
        pipeline = _derived_pipeline(model, crops, whole_frame)
    else:
        pipeline = unwrap_skipping(pipeline)
        _set_crops(pipeline, crops, _encoder_input(model)[1])
    _set_sampling(pipeline, num_clips, clip_len, frame_interval)
    return pipeline
