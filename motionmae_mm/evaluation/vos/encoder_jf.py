# Copyright (c) OpenMMLab. All rights reserved.
"""DAVIS J&F of one encoder checkpoint: propagation and scoring in one call
(``tools/eval_vos.py`` runs the same two steps with a progress bar)."""
import copy
from typing import Dict, Mapping, Optional, Union

from mmengine.config import Config

from .evaluator import evaluate_results
from .runner import DavisSegmenter


def davis_jf(vos_cfg: Union[str, Config],
             backbone_cfg: Mapping,
             checkpoint: str,
             davis_root: str,
             out_dir: str,
             short_side: Optional[int] = None) -> Dict[str, float]:
    """Propagate labels through the DAVIS sequences and score them.

    Args:
        vos_cfg: A VOS config (path or ``Config``), e.g.
            ``configs/vos/davis2017_label_propagation.py``; its encoder is
            replaced by ``backbone_cfg``.
        backbone_cfg: The encoder's config (``model.backbone`` of a
            pretraining config); its ``init_cfg`` is dropped, the weights
            come from ``checkpoint``.
        checkpoint: Checkpoint with ``backbone.*`` keys.
        davis_root: DAVIS folder (``ImageSets/2017/val.txt`` gives the
            sequences).
        out_dir: Where the result PNGs are written.
        short_side: Frame short side in pixels (default: the config's).

    Returns:
        dict: The official global row (``J&F-Mean``, ``J-Mean``, ...), in %.
    """
    cfg = Config.fromfile(vos_cfg) if isinstance(vos_cfg, str) else \
        copy.deepcopy(vos_cfg)
    backbone = copy.deepcopy(dict(backbone_cfg))
    backbone.pop('init_cfg', None)
    cfg.model = dict(backbone=backbone)
    if short_side is not None:
        cfg.frames.short_side = short_side
    segmenter = DavisSegmenter.from_config(cfg, checkpoint)
    names = segmenter.run(davis_root, out_dir, progress=False)
    scores = evaluate_results(
        davis_root, out_dir, sequences=names, progress=False)
    return {k: v * 100 for k, v in scores.global_results().items()}
