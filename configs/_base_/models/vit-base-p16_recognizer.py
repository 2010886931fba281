# Fine-tuning model: a stock mmaction2 Recognizer3D around the pretrained
# ViT-B/16 encoder (`MotionMAEVisionTransformer`, our SDPA subclass;
# mmaction2's `VisionTransformer` takes the same checkpoint), mean pooling
# + fc_norm, VideoMAE's fine-tune head.
# Give the pretraining checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
# (loaded by motionmae_mm's strict `Pretrained`: a shape mismatch or a
# missing encoder key stops the run). `num_classes` appears twice (head and
# mixup/cutmix): leaf configs override both.
_base_ = ['./vit-base-p16.py']

model = dict(
    type='Recognizer3D',
    backbone=dict(
        drop_path_rate=0.1,
        use_mean_pooling=True,
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    cls_head=dict(
        type='TimeSformerHead',
        num_classes=174,
        in_channels=768,
        init_std=2e-5,  # VideoMAE: trunc_normal(.02) x init_scale 0.001
        label_smooth_eps=0.1,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW',
        # timm Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, prob=1, switch=0.5)
        blending=dict(
            type='RandomBatchAugment',
            augments=[
                dict(type='MixupBlending', alpha=0.8, num_classes=174),
                dict(type='CutmixBlending', alpha=1., num_classes=174)
            ],
            probs=[0.5, 0.5])))
