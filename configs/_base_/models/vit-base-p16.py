# The ViT-B/16 encoder of every ViT-B config (16 frames, tubelet 2), with
# mmaction2's `VisionTransformer` keys: pretraining (`MotionMAE`),
# fine-tuning (`Recognizer3D`) and VOS configs inherit it as
# `model.backbone` and add what their model needs.
model = dict(
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
        norm_cfg=dict(type='LN', eps=1e-6)))
