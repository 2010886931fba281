# MotionMAE ViT-B/16, 16 frames, tubelet 2: the paper's main model.
_base_ = ['./vit-base-p16.py']

model = dict(
    type='MotionMAE',
    backbone=dict(
        use_mean_pooling=False),  # keep the final norm, as VideoMAE's encoder
    neck=dict(
        type='MotionMAEDecoder',
        embed_dims=384,
        depth=4,
        num_heads=6,
        mode='shared'),  # 'independent': one decoder per target
    head=dict(
        type='MotionMAEHead',
        norm_pix=True,
        appearance_weight=1.,
        motion_weight=1.,
        gap=1,
        signed=True,
        grayscale=False,
        motion_norm_pix=True),
    mask_generator=dict(type='FrameRandomMaskGenerator', mask_ratio=0.9),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
