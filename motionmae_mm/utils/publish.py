# Copyright (c) OpenMMLab. All rights reserved.
"""Publish a checkpoint: weights and meta only, hash-named, with a
``.safetensors`` twin (mmaction2's ``publish_model`` habit).

Training checkpoints also carry the optimizer, the message hub, scheduler
and RNG states: needed to resume, useless (and large) for users of the
weights. The published ``.pth`` holds ``state_dict`` and ``meta``; its name
gets ``-<first 8 hex of its sha256>`` so a download can be checked; the
``.safetensors`` twin holds the same tensors and the meta as JSON.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Any, Dict, Tuple

import torch

from .checkpoint import read_checkpoint, state_dict_of

# resume-only entries mmengine (and our RNG hook) store
RESUME_KEYS = ('optimizer', 'message_hub', 'param_schedulers', 'rng_states',
               'ema_state_dict')


def _json_default(value: Any) -> Any:
    """numpy scalars/arrays as numbers/lists, anything else as text."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    return str(value)


def _plain(value: Any) -> Any:
    """``value`` as JSON-able data (numpy scalars, tuples, ...)."""
    return json.loads(json.dumps(value, default=_json_default))


def sha256_of(path: str) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for chunk in iter(lambda: file.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def publish_checkpoint(src: str, dst: str) -> Tuple[str, str]:
    """Write the published ``.pth`` and its ``.safetensors`` twin.

    Args:
        src: A training checkpoint (``.pth`` or ``.safetensors``).
        dst: ``OUT.pth``; the files become ``OUT-<hash>.pth`` and
            ``OUT-<hash>.safetensors``.

    Returns:
        tuple: ``(pth_path, safetensors_path)``.
    """
    from safetensors.torch import save_file
    ckpt = read_checkpoint(src, 'cpu', 'IN')
    state: Dict[str, torch.Tensor] = {
        k: v
        for k, v in state_dict_of(ckpt, src).items()
        if not k.startswith('ema_')
    }
    meta = ckpt.get('meta') if isinstance(ckpt, dict) else None
    meta = _plain(meta) if meta is not None else {}
    stem = dst[:-len('.pth')] if dst.endswith('.pth') else dst
    os.makedirs(osp.dirname(osp.abspath(stem)), exist_ok=True)
    tmp = stem + '.tmp.pth'
    torch.save(dict(state_dict=state, meta=meta), tmp)
    final = f'{stem}-{sha256_of(tmp)[:8]}'
    os.replace(tmp, final + '.pth')
    # safetensors wants contiguous tensors that share no memory
    tensors = {k: v.detach().clone().contiguous() for k, v in state.items()}
    save_file(
        tensors,
        final + '.safetensors',
        metadata=dict(format='pt', meta=json.dumps(meta)))
    return final + '.pth', final + '.safetensors'
