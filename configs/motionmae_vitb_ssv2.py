# MotionMAE ViT-B/16 pretraining on Something-Something V2: 16x2 clips,
# frame-wise random masking 0.9, shared decoder, appearance + motion 1:1,
# 800 epochs.
_base_ = [
    '_base_/models/motionmae_vit-base-p16.py',
    '_base_/datasets/sthv2_pretrain.py',
    '_base_/schedules/adamw_pretrain_800e.py', '_base_/default_runtime.py'
]
