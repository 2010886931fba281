# Fine-tune the textured-demo encoder (configs/demo/motionmae_vit-tiny_demo.py:
# ViT 192 x 6, patch 8, 8 frames, 64 px) on the 8 motion classes of
# data/demo, with the fine-tuning recipe scaled down for 2 CPU cores
# (`make demo-finetune` runs the digits twin, finetune_vit-tiny_digits-demo.py).
#   python tools/train.py configs/demo/finetune_vit-tiny_demo.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/motionmae_vit-tiny_demo/epoch_12.pth
#   python tools/test.py configs/demo/finetune_vit-tiny_demo.py \
#       work_dirs/finetune_vit-tiny_demo/epoch_20.pth
_base_ = [
    '../_base_/models/vit-base-p16_recognizer.py',
    '../_base_/schedules/adamw_finetune.py', '../_base_/finetune_runtime.py'
]

num_classes = 8
img_size = 64
num_frames = 8
depth = 6

model = dict(
    backbone=dict(
        img_size=img_size,
        patch_size=8,
        embed_dims=192,
        depth=depth,
        num_heads=3,
        num_frames=num_frames,
        # no drop path: 20 short epochs leave nothing to regularise
        drop_path_rate=0.),
    # BatchNorm (no affine) before the classifier: the tiny demo encoder's
    # pooled features share a large offset across clips, which a 2-core,
    # 10-epoch run cannot unlearn through LayerNorm alone (the ViT-B recipes
    # keep VideoMAE's plain head)
    cls_head=dict(
        type='MotionMAELinearProbeHead',
        num_classes=num_classes,
        in_channels=192,
        init_std=0.02),
    # no mixup / cutmix: on 96 clips and a few CPU minutes they hide the
    # signal (the full recipes keep them)
    data_preprocessor=dict(blending=None))

dataset_type = 'VideoDataset'
data_root = 'data/demo'
train_pipeline = [
    dict(
        type='MotionMAESafeLoad',
        transforms=[
            dict(type='DecordInit'),
            dict(
                type='SampleFrames',
                clip_len=num_frames,
                frame_interval=4,  # the whole 32-frame demo clip
                num_clips=1),
            dict(type='DecordDecode'),
        ]),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    # no augmentation: the whole frame, as val/test see it (20 epochs on 800
    # clips do not overfit this tiny model). No Flip: left / right and the
    # rotation direction are classes
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=num_frames,
        frame_interval=4,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/train.txt',
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/val.txt',
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline,
        test_mode=True))
# test = val on the test list: 1 clip x 1 crop (the clip spans the whole
# video, the crop the whole frame)
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], ann_file=f'{data_root}/test.txt'))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

# a short schedule at a fixed lr (no scaling from 256 down to batch 8)
base_lr = 1e-3
max_epochs = 20
warmup_epochs = 1
optim_wrapper = dict(
    optimizer=dict(lr=base_lr),
    # no layer decay (the recipes' 0.75): the few minutes of demo
    # pretraining leave nothing in the lower blocks worth protecting
    paramwise_cfg=dict(num_layers=depth, decay_rate=1.0))
auto_scale_lr = dict(enable=False)
param_scheduler = dict(
    warmup=warmup_epochs, start_factor=0.01, eta_min_ratio=0.01)
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
default_hooks = dict(
    logger=dict(interval=25), checkpoint=dict(interval=5, max_keep_ckpts=1))
