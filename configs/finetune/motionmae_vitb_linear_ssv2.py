# Linear probe of a MotionMAE ViT-B/16 encoder on Something-Something V2:
# the encoder is frozen (no gradients, eval mode), its final-norm tokens are
# mean-pooled, and only a BatchNorm (no affine) + linear head is trained
# (MAE's linear-probe head). The paper reports no linear probe; this is the
# cheap way to compare representations, not a paper recipe: SGD lr 0.1 per
# 256, no weight decay, no mixup / RandAugment / erasing, 30 epochs.
#   python tools/train.py configs/finetune/motionmae_vitb_linear_ssv2.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAIN.pth
_base_ = [
    '../_base_/models/vit-base-p16_recognizer.py',
    '../_base_/datasets/sthv2_finetune.py',
    '../_base_/schedules/warmup_cosine.py', '../_base_/finetune_runtime.py'
]

model = dict(
    backbone=dict(
        type='MotionMAEFrozenVisionTransformer',
        drop_path_rate=0.,
        use_mean_pooling=False),  # the encoder's own final norm, then mean
    cls_head=dict(
        type='MotionMAELinearProbeHead', init_std=0.01, label_smooth_eps=0.),
    data_preprocessor=dict(blending=None))

train_pipeline = [
    dict(
        type='MotionMAESafeLoad',
        transforms=[
            dict(type='DecordInit'),
            dict(type='UniformSample', clip_len=16),
            dict(type='DecordDecode'),
        ]),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))

base_lr = 0.1
max_epochs = 30
warmup_epochs = 3
optim_wrapper = dict(
    type='AmpOptimWrapper',  # OptimWrapper on CPU
    loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=base_lr, momentum=0.9, weight_decay=0.))
param_scheduler = dict(
    warmup=warmup_epochs, start_factor=0.01, eta_min=0., eta_min_ratio=None)
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=True, base_batch_size=256)
