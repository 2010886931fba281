# Copyright (c) OpenMMLab. All rights reserved.
# DAVIS-2017 label propagation with the textured-demo encoder
# (configs/demo/motionmae_vit-tiny_demo.py: ViT 192x6, patch 8, 8 frames).
# Run: python tools/eval_vos.py THIS_CONFIG \
#          work_dirs/motionmae_vit-tiny_demo/epoch_12.pth \
#          --data-root DAVIS --out-dir OUT
_base_ = ['davis2017_label_propagation.py']

model = dict(
    backbone=dict(
        img_size=64,
        patch_size=8,
        embed_dims=192,
        depth=6,
        num_heads=3,
        num_frames=8))
# patch 8 at short side 240: the same 30-row patch grid as ViT-B/16 at 480
frames = dict(short_side=240)
