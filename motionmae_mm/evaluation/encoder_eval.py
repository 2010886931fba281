# Copyright (c) OpenMMLab. All rights reserved.
"""One encoder scored by every frozen/partial protocol on one data set.

:class:`EvalClips` decodes the clips of ``train/val/test.txt`` once (they
serve every encoder compared); :func:`evaluate_encoder` runs the linear and
temporal probes, the partial fine-tune and, optionally, DAVIS J&F.
"""
import os.path as osp
import time
from typing import Dict, Optional

import torch
from torch import nn

from ..datasets.annotation_list import read_labelled_list
from .features import encode, load_clips, mean_features, temporal_features
from .linear_probe import linear_probe
from .partial_finetune import partial_finetune


class EvalClips:
    """Clips and labels of train/val/test, decoded once for all encoders.

    Args:
        model: A model whose pipeline and preprocessor decode the clips
            (:func:`~motionmae_mm.evaluation.features.load_clips`).
        data_root: Folder with ``train.txt``, ``val.txt``, ``test.txt``
            (``relative/path label``, paths relative to the folder).
        clips_per_video: Evenly spaced clips per training video (val and
            test: the centred one).
    """

    def __init__(self, model: nn.Module, data_root: str,
                 clips_per_video: int) -> None:
        start = time.time()
        train_v, train_y = read_labelled_list(osp.join(data_root, 'train.txt'))
        val_v, val_y = read_labelled_list(osp.join(data_root, 'val.txt'))
        test_v, test_y = read_labelled_list(osp.join(data_root, 'test.txt'))
        # (N, K, C, T, H, W)
        self.train = load_clips(model, train_v, clips_per_video)
        self.val = load_clips(model, val_v, 1)[:, 0]
        self.test = load_clips(model, test_v, 1)[:, 0]
        self.train_y = torch.tensor(train_y)
        self.val_y = torch.tensor(val_y)
        self.test_y = torch.tensor(test_y)
        self.num_classes = int(max(train_y + val_y + test_y)) + 1
        print(f'eval clips: train {len(train_v)} x {clips_per_video}, '
              f'val {len(val_v)}, test {len(test_v)}, '
              f'{self.num_classes} classes '
              f'({time.time() - start:.0f} s)')


def evaluate_encoder(model: nn.Module,
                     data: EvalClips,
                     seed: int,
                     finetune_epochs: int,
                     finetune_blocks: int = 1,
                     davis: Optional[Dict] = None) -> Dict:
    """Probe, partially fine-tune and (optionally) DAVIS-score an encoder.

    Args:
        model: A built model with ``backbone`` (and ``cfg`` for DAVIS).
        data: The decoded clips.
        seed: Seed of the fine-tune.
        finetune_epochs: Epochs of the partial fine-tune.
        finetune_blocks: Last encoder blocks the fine-tune trains.
        davis: ``None`` to skip DAVIS, else the keyword arguments of
            :func:`~motionmae_mm.evaluation.vos.davis_jf` except
            ``backbone_cfg`` (``vos_cfg``, ``checkpoint``, ``davis_root``,
            ``out_dir``, ``short_side``).

    Returns:
        dict: ``probe_acc``/``probe_t_acc`` (and their ``_val_acc``,
        ``_weight_decay``), ``finetune_acc``, ``finetune_train_loss``,
        ``davis_jf``/``davis_j``/``davis_f`` (with DAVIS) and ``eval_s``.
    """
    out = {}
    start = time.time()
    backbone = model.backbone
    n, k = data.train.shape[:2]
    (train_slots, train_hidden), (val_slots, _), (test_slots, test_hidden) = [
        encode(backbone, clips, finetune_blocks)
        for clips in (data.train.flatten(0, 1), data.val, data.test)
    ]
    splits = ((train_slots, data.train_y.repeat_interleave(k)),
              (val_slots, data.val_y), (test_slots, data.test_y))
    for name, pool in (('probe', mean_features), ('probe_t',
                                                  temporal_features)):
        probe = linear_probe(*[(pool(z), y) for z, y in splits],
                             data.num_classes)
        out.update({
            f'{name}_acc': probe['acc'],
            f'{name}_val_acc': probe['val_acc'],
            f'{name}_weight_decay': probe['weight_decay']
        })
    ft = partial_finetune(backbone, train_hidden.unflatten(0, (n, k)),
                          data.train_y, test_hidden, data.test_y,
                          data.num_classes, finetune_epochs, seed,
                          finetune_blocks)
    out.update(finetune_acc=ft['acc'], finetune_train_loss=ft['train_loss'])
    if davis is not None:
        from .vos.encoder_jf import davis_jf
        jf = davis_jf(backbone_cfg=model.cfg.model.backbone, **davis)
        out.update(
            davis_jf=jf['J&F-Mean'],
            davis_j=jf['J-Mean'],
            davis_f=jf['F-Mean'])
    out['eval_s'] = time.time() - start
    return out
