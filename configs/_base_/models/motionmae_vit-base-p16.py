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
    head=dict(type='MotionMAEHead'),
    # What the model reconstructs at masked tokens: one decoder branch,
    # predictor and `loss_<name>` per entry (models/targets). VideoMAE is
    # the pixel target alone (configs/videomae_*.py drop `motion`).
    targets=dict(
        appearance=dict(
            type='PixelTarget',
            norm_pix=True,
            loss=dict(type='MotionMAEReconstructionLoss', loss_weight=1.)),
        motion=dict(
            type='FrameDifferenceTarget',
            gap=1,
            signed=True,
            grayscale=False,
            norm_pix=True,
            loss=dict(type='MotionMAEReconstructionLoss', loss_weight=1.))),
    mask_generator=dict(type='FrameRandomMaskGenerator', mask_ratio=0.9),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
