# Copyright (c) OpenMMLab. All rights reserved.
# DAVIS-2017 val, semi-supervised, DINO label propagation on a frozen
# encoder (facebookresearch/dino eval_video_segmentation.py defaults).
# Run: python tools/eval_vos.py THIS_CONFIG CHECKPOINT --data-root DAVIS \
#          --out-dir OUT
# Every value can be changed with --cfg-options, e.g. propagation.topk=7.

# Encoder: the pretraining backbone (ViT-B/16, 16 frames, tubelet 2), as
# `model.backbone` like every config. Its weights are read from the
# checkpoint's ``backbone.*`` keys. The final LayerNorm (``norm``,
# use_mean_pooling=False) gives the features; for a fine-tuned checkpoint
# with ``fc_norm`` set use_mean_pooling=True.
_base_ = ['../_base_/models/vit-base-p16.py']

model = dict(backbone=dict(use_mean_pooling=False))
checkpoint_prefix = 'backbone.'

dataset = dict(split='val', resolution='480p')

# Network input: short side 480, long side floored to a multiple of 64
# (854x480 -> 832x480); ImageNet mean, DINO's std (0.228 sic).
frames = dict(
    short_side=480,
    size_divisor=64,
    fixed_size=None,
    mean=(0.485, 0.456, 0.406),
    std=(0.228, 0.224, 0.225))

# One feature map per frame: 'repeat' feeds each frame repeated to fill a
# tubelet (causal, no motion); 'pair' feeds (t-1, t). batch_size frames per
# forward.
features = dict(tubelet_mode='repeat', batch_size=8)

# Context = first frame + queue of the last 7 frames with soft labels;
# square window of radius 12 patches on every context frame; top-5 keys
# over the whole context; softmax of cosine similarity / 0.1.
propagation = dict(
    n_last_frames=7,
    topk=5,
    temperature=0.1,
    radius=12,
    window='square',
    restrict_first_frame=True,
    pad_with_first=False,
    normalize_features=True,
    chunk_size=4096)

# First-frame labels: nearest resize to the patch grid, one-hot.
# Output: bilinear x patch size, per-object min-max, argmax, nearest resize
# to the annotation size.
labels = dict(downsample='nearest', upsample='patch', norm_mask=True)
