# Copyright (c) OpenMMLab. All rights reserved.
"""Reading a ``.safetensors`` checkpoint: tensors and its metadata.

Safetensors files hold tensors only by construction, so nothing here needs
an allow-list; :func:`motionmae_mm.utils.checkpoint.read_checkpoint` hands
such files to :func:`read_safetensors`.
"""
import json
from typing import Any

from .checkpoint_errors import CheckpointError


def read_safetensors(filename: str, device: str = 'cpu') -> dict:
    """``{'state_dict': tensors, 'meta': metadata}`` of a ``.safetensors``.

    ``meta`` is the JSON stored under the metadata key ``meta`` (as
    :func:`motionmae_mm.utils.publish_checkpoint` writes it), else the raw
    string metadata, else an empty dict.
    """
    from safetensors import SafetensorError, safe_open
    try:
        with safe_open(filename, framework='pt', device=device) as file:
            state = {key: file.get_tensor(key) for key in file.keys()}
            raw = file.metadata() or {}
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError(f'{filename}: not a readable .safetensors file '
                              f'({" ".join(str(err).split())[:80]})') from None
    meta: Any = dict(raw)
    if 'meta' in raw:
        try:
            meta = json.loads(raw['meta'])
        except ValueError:
            pass
    return dict(state_dict=state, meta=meta)
