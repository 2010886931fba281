# MotionMAE ViT-B/16 pretraining on Kinetics-400: 16x4 clips, 800 epochs.
_base_ = [
    '_base_/models/motionmae_vit-base-p16.py',
    '_base_/datasets/k400_pretrain.py',
    '_base_/schedules/adamw_pretrain_800e.py', '_base_/default_runtime.py'
]
