# Copyright (c) OpenMMLab. All rights reserved.
"""One-flag switches for mmengine's TensorBoard and W&B visualizer backends.

Everything the run sends to its visualizer (the logger's losses and
learning rate, ``SkippedVideoHook``'s counts, the reconstruction hook's
pictures) then reaches these backends too, beside the local
``vis_data/scalars.json``.
"""
import importlib.util

from mmengine.config import Config

_BACKENDS = {
    'tensorboard': ('TensorboardVisBackend', 'tensorboard'),
    'wandb': ('WandbVisBackend', 'wandb'),
}


def add_vis_backend(cfg: Config, name: str) -> Config:
    """Add the ``name`` backend (``'tensorboard'``, ``'wandb'``) to ``cfg``.

    TensorBoard events go to ``work_dir/<timestamp>/vis_data/``.

    Raises:
        ValueError: if the backend's package is not installed (the
            message says what to install), or ``name`` is unknown.
    """
    if name not in _BACKENDS:
        raise ValueError(f'unknown visualizer backend {name!r}; choose one '
                         f'of {sorted(_BACKENDS)}')
    backend, package = _BACKENDS[name]
    if importlib.util.find_spec(package) is None:
        raise ValueError(f'--{name} needs the {package} package, which is '
                         f'not installed: pip install {package}')
    visualizer = cfg.get('visualizer')
    if visualizer is None:
        cfg.visualizer = visualizer = dict(
            type='ActionVisualizer', vis_backends=[])
    backends = list(visualizer.get('vis_backends') or [])
    if not any(b.get('type') == backend for b in backends):
        backends.append(dict(type=backend))
    visualizer['vis_backends'] = backends
    return cfg
