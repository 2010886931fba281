# Copyright (c) OpenMMLab. All rights reserved.
"""Export one of our checkpoints as a Hugging Face VideoMAE folder.

* a pretraining ``MotionMAE`` -> ``VideoMAEForPreTraining`` (encoder,
  decoder and pixel-target head) when HF's decoder can hold ours, else
  ``VideoMAEModel``; other targets' heads (motion) have no HF counterpart
  and are left out;
* a fine-tuned ``Recognizer3D`` -> ``VideoMAEForVideoClassification``;
* anything else with a ViT backbone, or ``encoder_only`` -> ``VideoMAEModel``.

The folder is written by transformers' own ``save_pretrained`` from a model
that loaded the mapped tensors strictly, so the names are those the
installed transformers reads. ``verify`` reloads it with ``from_pretrained``
and compares outputs with ours on a fixed random clip.
"""
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch
from torch import nn

from ..models.utils import encoder_features
from .checkpoint_model import load_source
from .errors import ConversionError
from .huggingface_config import (decoder_spec, encoder_spec,
                                 pixel_target_name)
from .huggingface_keys import (decoder_to_hf, encoder_to_hf,
                               installed_qv_style)

HF_LN_EPS = 1e-5  # transformers' fixed eps of fc_norm and decoder.norm
#: Note on a target other than the pixel one (``{name}``: its name).
OTHER_TARGET_NOTE = ('the {name} head (head.predictors.{name}) has no '
                     'Hugging Face counterpart: not exported')


@dataclass
class ExportResult:
    """What was written and how well it matches."""
    architecture: str
    out_dir: str
    config: dict
    num_tensors: int
    notes: List[str] = field(default_factory=list)
    max_diff: Dict[str, float] = field(default_factory=dict)


def _prefixed(state: dict, prefix: str) -> dict:
    """Sub-state under ``prefix`` with the prefix removed."""
    return {
        k[len(prefix):]: v
        for k, v in state.items() if k.startswith(prefix)
    }


def _classifier(head: nn.Module) -> Dict[str, torch.Tensor]:
    """``classifier.*`` of a linear head; a linear-probe batch norm (running
    statistics, no affine) is folded into the weights."""
    name = type(head).__name__
    if name not in ('TimeSformerHead', 'MotionMAELinearProbeHead'):
        raise ConversionError(
            f'cls_head {name}: only a linear head on pooled features '
            '(TimeSformerHead, MotionMAELinearProbeHead) has a '
            'VideoMAEForVideoClassification counterpart; use --encoder-only')
    weight, bias = head.fc_cls.weight.detach(), head.fc_cls.bias.detach()
    if name == 'MotionMAELinearProbeHead':
        scale = (head.running_var + head.eps).rsqrt()
        weight, bias = weight * scale, bias - (weight * scale) @ \
            head.running_mean
    return {'classifier.weight': weight, 'classifier.bias': bias}


def _plan(model: nn.Module, encoder_only: bool):
    """``(architecture, config kwargs, notes, decoder branch)``."""
    enc = encoder_spec(model.backbone)
    kwargs, notes, branch = dict(enc), [], None
    if encoder_only:
        return 'VideoMAEModel', kwargs, notes, None
    if hasattr(model, 'cls_head') and model.cls_head is not None:
        if type(model.backbone).__name__ == 'MotionMAEFrozenVisionTransformer':
            raise ConversionError(
                'a linear probe (norm -> mean -> batch norm -> linear) has no '
                'VideoMAEForVideoClassification counterpart; use '
                '--encoder-only')
        if getattr(model, 'neck', None) is not None:
            raise ConversionError('a recognizer with a neck has no HF '
                                  'counterpart; use --encoder-only')
        kwargs['num_labels'] = model.cls_head.num_classes
        if enc['use_mean_pooling'] and enc['layer_norm_eps'] != HF_LN_EPS:
            notes.append(f'HF fc_norm uses LayerNorm eps {HF_LN_EPS:g} (ours '
                         f'{enc["layer_norm_eps"]:g}): logits differ slightly')
        if type(model.cls_head).__name__ == 'MotionMAELinearProbeHead':
            notes.append('linear-probe batch norm folded into classifier')
        return 'VideoMAEForVideoClassification', kwargs, notes, None
    if hasattr(model, 'neck') and hasattr(model, 'head'):
        pixels = pixel_target_name(model.head)
        notes += [
            OTHER_TARGET_NOTE.format(name=name)
            for name in model.head.target_names if name != pixels
        ]
        dec, branch = decoder_spec(model, enc)
        if dec is None:
            notes.append(f'decoder not exported: {branch}')
            return 'VideoMAEModel', kwargs, notes, None
        kwargs.update(dec)
        if model.neck.mode == 'independent':
            notes.append(f'independent decoders: the {pixels} one exported')
        if enc['layer_norm_eps'] != HF_LN_EPS:
            notes.append(f'HF decoder.norm uses LayerNorm eps {HF_LN_EPS:g} '
                         f'(ours {enc["layer_norm_eps"]:g}): decoder logits '
                         'differ slightly')
        return 'VideoMAEForPreTraining', kwargs, notes, branch
    return 'VideoMAEModel', kwargs, notes, None


def hf_state(model: nn.Module, architecture: str, branch: Optional[str],
             style: str) -> Dict[str, torch.Tensor]:
    """Our tensors under the names of ``architecture`` (``style``: q/v bias
    naming, :func:`installed_qv_style`)."""
    enc = encoder_to_hf(model.backbone.state_dict(), style)
    fc_norm = {k: v for k, v in enc.items() if k.startswith('fc_norm.')}
    enc = {k: v for k, v in enc.items() if not k.startswith('fc_norm.')}
    if architecture == 'VideoMAEModel':
        return enc
    out = {f'videomae.{k}': v for k, v in enc.items()}
    if architecture == 'VideoMAEForVideoClassification':
        out.update(fc_norm)
        out.update(_classifier(model.cls_head))
        return out
    neck = model.neck.state_dict()
    out.update(
        decoder_to_hf(
            _prefixed(neck, f'decoders.{branch}.'), neck['proj.weight'],
            neck['mask_token'],
            _prefixed(model.head.state_dict(),
                      f'predictors.{pixel_target_name(model.head)}.'),
            style))
    return out


def _hf_class(architecture: str):
    import transformers
    return getattr(transformers, architecture)


@torch.no_grad()
def compare(model: nn.Module, hf_model: nn.Module, architecture: str,
            clip: torch.Tensor) -> Dict[str, float]:
    """Max absolute differences of ours vs HF on ``clip`` (B, C, T, H, W),
    and ``tokens_abs_max``, the scale of our tokens.

    HF gets the clip laid out (B, T, C, H, W).
    """
    pixels = clip.permute(0, 2, 1, 3, 4)
    base = getattr(hf_model, 'videomae', hf_model)
    hidden = base(pixel_values=pixels).last_hidden_state
    tokens = encoder_features(
        model.backbone, clip, feat_map=True).flatten(2).transpose(1, 2)
    out = dict(
        last_hidden_state=(hidden - tokens).abs().max().item(),
        tokens_abs_max=tokens.abs().max().item())
    if architecture == 'VideoMAEForVideoClassification':
        ours = model.cls_head(model.backbone(clip))
        out['logits'] = (hf_model(pixel_values=pixels).logits -
                         ours).abs().max().item()
    elif architecture == 'VideoMAEForPreTraining':
        n = model.backbone.pos_embed.shape[1]
        mask = (torch.arange(n) % 4 != 0).expand(clip.shape[0], -1)
        name = pixel_target_name(model.head)
        ours = model.head(model.encode_decode(clip, mask))[name]
        theirs = hf_model(pixel_values=pixels, bool_masked_pos=mask).logits
        out['decoder_logits'] = (theirs - ours).abs().max().item()
    return out


def export_to_hf(checkpoint: str,
                 out_dir: str,
                 config: Optional[str] = None,
                 encoder_only: bool = False,
                 verify: bool = True,
                 tolerance: float = 1e-4) -> ExportResult:
    """Write ``checkpoint`` as a Hugging Face VideoMAE folder ``out_dir``.

    Raises:
        ConversionError: on input the export cannot represent, or when the
            reloaded folder does not reproduce our outputs within
            ``tolerance`` (relative to the largest output value, at least 1).
    """
    from transformers import VideoMAEConfig
    model, _ = load_source(checkpoint, config)
    architecture, kwargs, notes, branch = _plan(model, encoder_only)
    hf_config = VideoMAEConfig(**kwargs)
    hf_model = _hf_class(architecture)(hf_config).eval()
    state = hf_state(model, architecture, branch, installed_qv_style())
    try:
        hf_model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise ConversionError(f'{architecture} does not take the mapped '
                              f'tensors: {str(err).splitlines()[0]}') from None
    os.makedirs(out_dir, exist_ok=True)
    hf_model.save_pretrained(out_dir)
    result = ExportResult(architecture, out_dir, kwargs, len(state), notes)
    if verify:
        reloaded, info = _hf_class(architecture).from_pretrained(
            out_dir, local_files_only=True, output_loading_info=True)
        if info['missing_keys'] or info['mismatched_keys']:
            raise ConversionError(f'{out_dir}: {architecture} reload misses '
                                  f'{sorted(info["missing_keys"])[:4]}')
        gen = torch.Generator().manual_seed(0)
        shape = (1, kwargs['num_channels'], kwargs['num_frames'],
                 kwargs['image_size'], kwargs['image_size'])
        clip = torch.randn(shape, generator=gen)
        result.max_diff = compare(model, reloaded.eval(), architecture, clip)
        scale = max(1., result.max_diff.pop('tokens_abs_max'))
        bad = {
            k: v
            for k, v in result.max_diff.items() if not v <= tolerance * scale
        }
        if bad:
            raise ConversionError(
                f'{out_dir}: Hugging Face outputs differ from ours: ' +
                ', '.join(f'{k} max |diff| {v:.3g}' for k, v in bad.items()))
    return result
