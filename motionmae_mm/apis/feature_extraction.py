# Copyright (c) OpenMMLab. All rights reserved.
"""Clip features of a list of videos, batched and resumable.

Each video of an mmaction2 annotation list (``path [label]`` per line) goes
through :func:`~motionmae_mm.datasets.inference_pipeline.inference_pipeline`: the config's test
pipeline when it has one, else mmaction2's usual one (the short side
resized to the encoder's input size), with ``clips`` evenly spaced clips
and ``crops`` crops (1 centre or 3 along the long side), so a video gives
``clips x crops`` views. A view's feature is the mean of the encoder's
final-norm tokens (``fc_norm`` of the mean for mean-pooling recognizers),
or with ``tokens=True`` the token map itself (N, C), t-major (for a
mean-pooling recognizer, whose ``norm`` is an identity, the tokens before
``fc_norm``).

Finished videos are written one file each into ``<out>.parts/`` as they
come, so an interrupted run picks up where it stopped; unreadable videos
are listed, not fatal. The result, ``{name: array}``, goes to ``out`` as
safetensors (plain arrays and a JSON header, nothing that runs code when
read, unlike a pickle), marked as ours so that a resumed run never reads a
file it did not write: :func:`load_features` reads it back.
"""
import hashlib
import os
import os.path as osp
import shutil
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmaction.datasets import VideoDataset
from torch import Tensor, nn

from ..models.utils import encoder_features
from ..utils.cli import UserError
from ..datasets.inference_pipeline import inference_pipeline

# safetensors metadata that marks a file written by extract_features
FEATURES_FORMAT = dict(format='motionmae_mm.features')


def feature_pipeline(model: nn.Module,
                     clips: int = 1,
                     crops: int = 1,
                     frame_interval: Optional[int] = None) -> List[dict]:
    """mmaction2 test-time transforms for ``model``'s encoder input.

    :func:`inference_pipeline`: the config's test pipeline with ``clips``
    clips and ``crops`` crops, or for a config without one (pretraining)
    the short side resized to the encoder's input and cropped.
    ``frame_interval`` defaults to the config's ``SampleFrames`` (test
    pipeline first, else training), else 1.
    """
    if crops not in (1, 3):  # named as tools/extract_features.py's options
        raise ValueError(f'--crops {crops}: must be 1 (centre) or 3')
    if clips < 1:
        raise ValueError(f'--clips {clips}: must be >= 1')
    return inference_pipeline(
        model, num_clips=clips, crops=crops, frame_interval=frame_interval)


@torch.no_grad()
def encode_views(model: nn.Module, views: Tensor,
                 tokens: bool = False) -> Tensor:
    """Features of normalised views ``(V, C, T, H, W)``.

    Runs the backbone's own full (unmasked) forward with
    ``return_feat_map`` and returns the mean of the final-norm tokens
    ``(V, C)`` (``fc_norm`` applied after the mean when the encoder has
    one), or the tokens ``(V, N, C)`` in t-major order.
    """
    if not tokens:
        return encoder_features(model.backbone, views)
    feat_map = encoder_features(model.backbone, views, feat_map=True)
    return feat_map.flatten(2).transpose(1, 2)


class _Views(torch.utils.data.Dataset):
    """Decoded views of the videos still to do; errors come back as text."""

    def __init__(self, dataset: VideoDataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = list(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> Tuple[int, Optional[dict], str]:
        index = self.indices[i]
        try:
            return index, self.dataset.prepare_data(index), ''
        except Exception as err:  # decoders raise many types; not fatal
            text = ' '.join(str(err).split())[:120] or type(err).__name__
            return index, None, f'{type(err).__name__}: {text}'


def _part(parts: str, name: str) -> str:
    """The per-video file of ``name`` in the parts folder."""
    return osp.join(parts, hashlib.sha1(name.encode()).hexdigest() + '.npy')


def load_features(path: str) -> Dict[str, np.ndarray]:
    """The ``{video: array}`` features that :func:`extract_features` wrote.

    Raises:
        UserError: ``path`` is not a features file written by
            :func:`extract_features` (say a pickle, which is never loaded).
    """
    from safetensors import SafetensorError, safe_open
    refused = UserError(
        f'{path}: not a features file written by extract_features '
        '(safetensors); pass a new --out or delete this file')
    try:
        with safe_open(path, framework='np') as file:
            if file.metadata() != FEATURES_FORMAT:
                raise refused
            return {name: file.get_tensor(name) for name in file.keys()}
    except SafetensorError as err:
        raise refused from err


def _video_dataset(model: nn.Module, ann_file: str, data_prefix: str,
                   clips: int, crops: int, frame_interval: Optional[int]
                   ) -> Tuple[VideoDataset, List[str]]:
    """The test-time dataset of ``ann_file`` and its videos' names.

    Names are the list's paths relative to ``data_prefix``: they key the
    parts folder and the result, so a resumed run finds the same videos.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'ANN_FILE: no such file: {ann_file}')
    dataset = VideoDataset(
        ann_file,
        feature_pipeline(model, clips, crops, frame_interval),
        data_prefix=dict(video=data_prefix),
        test_mode=True)
    names = [
        osp.relpath(dataset.get_data_info(i)['filename'], data_prefix)
        if data_prefix else dataset.get_data_info(i)['filename']
        for i in range(len(dataset))
    ]
    return dataset, names


def _write_batch(model: nn.Module, good: List[Tuple[int, dict]],
                 names: List[str], parts: str, tokens: bool,
                 device: torch.device) -> List[str]:
    """Encode the decoded videos of one batch and write each to its part.

    Each part is written to a temporary file and moved into place, so an
    interrupted run never leaves a partial one. Returns the names done.
    """
    inputs = model.data_preprocessor(
        dict(
            inputs=[d['inputs'] for _, d in good],
            data_samples=[d['data_samples'] for _, d in good]))
    views = inputs['inputs']  # (B, V, C, T, H, W)
    feats = encode_views(model, views.flatten(0, 1).to(device), tokens)
    feats = feats.reshape(len(good), views.shape[1], *feats.shape[1:])
    done = []
    for (index, _), feat in zip(good, feats):
        path = _part(parts, names[index])
        with open(path + '.tmp', 'wb') as file:
            np.save(file, feat.float().cpu().numpy())
        os.replace(path + '.tmp', path)
        done.append(names[index])
    return done


def _merge_parts(previous: Dict[str, np.ndarray], names: List[str],
                 parts: str, out: str) -> None:
    """Write ``previous`` plus every finished part to ``out``; drop parts.

    ``out`` is replaced atomically and marked with :data:`FEATURES_FORMAT`
    (what :func:`load_features` checks); the parts folder goes only after.
    """
    for name in names:
        if osp.isfile(_part(parts, name)):
            previous[name] = np.load(_part(parts, name), allow_pickle=False)
    from safetensors.numpy import save_file
    save_file(previous, out + '.tmp', metadata=FEATURES_FORMAT)
    os.replace(out + '.tmp', out)
    shutil.rmtree(parts)


def extract_features(model: nn.Module,
                     ann_file: str,
                     out: str,
                     data_prefix: str = '',
                     clips: int = 1,
                     crops: int = 1,
                     tokens: bool = False,
                     frame_interval: Optional[int] = None,
                     batch_size: int = 4,
                     num_workers: int = 0,
                     progress: bool = True) -> Dict[str, list]:
    """Write the features of every video of ``ann_file`` to ``out``.

    Args:
        model: A built model with ``backbone`` and ``data_preprocessor``
            (a pretraining ``MotionMAE`` or a ``Recognizer3D``).
        ann_file: mmaction2 video list, ``path [label]`` per line.
        out: Result ``.safetensors`` file (read it with
            :func:`load_features`); ``<out>.parts/`` holds finished videos
            until the run completes. An existing ``out`` is resumed, or
            refused if :func:`extract_features` did not write it.
        data_prefix: Folder the list's paths are relative to.
        clips, crops: Views per video (``crops`` 1 or 3).
        tokens: Token maps (V, N, C) instead of pooled (V, C) features.
        batch_size: Videos per encoder forward.
        num_workers: Decoding processes.

    Returns:
        dict: ``done`` (extracted now), ``skipped`` (already done) and
        ``failed`` (``'name: reason'``) video names.

    Raises:
        UserError: ``out`` is not ``*.safetensors`` or is a file that
            :func:`extract_features` did not write.
    """
    if not out.endswith('.safetensors'):
        raise UserError(f'--out {out}: features are written as '
                        'safetensors; name the file *.safetensors')
    previous = load_features(out) if osp.isfile(out) else {}
    dataset, names = _video_dataset(model, ann_file, data_prefix, clips,
                                    crops, frame_interval)
    parts = out + '.parts'
    os.makedirs(parts, exist_ok=True)
    skipped = [
        n for n in names if n in previous or osp.isfile(_part(parts, n))
    ]
    todo = [i for i, n in enumerate(names) if n not in set(skipped)]
    loader = torch.utils.data.DataLoader(
        _Views(dataset, todo),
        batch_size=max(1, batch_size),
        num_workers=num_workers,
        collate_fn=list)
    from tqdm import tqdm
    bar = tqdm(
        total=len(names),
        initial=len(skipped),
        unit='video',
        disable=not progress)
    done, failed = [], []
    device = next(model.parameters()).device
    for batch in loader:
        good = [(i, data) for i, data, error in batch if data is not None]
        for index, _, error in batch:
            if error:
                failed.append(f'{names[index]}: {error}')
                bar.write(f'skipped {failed[-1]}', file=sys.stderr)
        if good:
            done += _write_batch(model, good, names, parts, tokens, device)
        bar.update(len(batch))
    bar.close()
    _merge_parts(previous, names, parts, out)
    return dict(done=done, skipped=skipped, failed=failed)
