# MotionMAE ViT-B/16 pretraining on UCF101 (VideoMAE's small-data recipe):
# 16x4 clips, mask 0.75, lr 3e-4 per 256, batch 192, 3200 epochs.
_base_ = [
    '_base_/models/motionmae_vit-base-p16.py',
    '_base_/datasets/ucf101_pretrain.py',
    '_base_/schedules/adamw_pretrain_800e.py', '_base_/default_runtime.py'
]

base_lr = 3e-4
max_epochs = 3200
model = dict(mask_generator=dict(mask_ratio=0.75))
optim_wrapper = dict(optimizer=dict(lr=base_lr))
# warm-up from 1e-6 and cosine floor 1e-5 (per 256), as ratios of the new lr
param_scheduler = dict(
    start_factor=1e-6 / base_lr, eta_min_ratio=1e-5 / base_lr)
train_cfg = dict(max_epochs=max_epochs)
