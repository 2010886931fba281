# Linear probe of the textured-demo encoder on the 8 demo motion classes:
# frozen encoder, mean-pooled final-norm tokens, BatchNorm + linear head.
#   python tools/train.py configs/demo/linear-probe_vit-tiny_demo.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/motionmae_vit-tiny_demo/epoch_12.pth
_base_ = ['./finetune_vit-tiny_demo.py']

model = dict(
    backbone=dict(
        type='MotionMAEFrozenVisionTransformer',
        drop_path_rate=0.,
        use_mean_pooling=False),
    cls_head=dict(
        type='MotionMAELinearProbeHead', init_std=0.01, label_smooth_eps=0.))

train_pipeline = [
    dict(
        type='MotionMAESafeLoad',
        transforms=[
            dict(type='DecordInit'),
            dict(
                type='SampleFrames', clip_len=8, frame_interval=4,
                num_clips=1),
            dict(type='DecordDecode'),
        ]),
    dict(type='Resize', scale=(-1, 80)),
    dict(type='RandomResizedCrop', area_range=(0.3, 1.)),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))

max_epochs = 20
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.))
param_scheduler = dict(
    warmup=2, start_factor=0.1, eta_min=0., eta_min_ratio=None)
train_cfg = dict(max_epochs=max_epochs)
