# MotionMAE ViT-B/16, 16 frames, tubelet 2: the paper's main model.
model = dict(
    type='MotionMAE',
    backbone=dict(
        type='MotionMAEVisionTransformer',
        img_size=224,
        patch_size=16,
        embed_dims=768,
        depth=12,
        num_heads=12,
        mlp_ratio=4,
        qkv_bias=True,
        num_frames=16,
        tubelet_size=2,
        use_mean_pooling=False,  # keep the final norm, as VideoMAE's encoder
        norm_cfg=dict(type='LN', eps=1e-6)),
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
