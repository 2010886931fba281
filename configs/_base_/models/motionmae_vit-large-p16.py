# MotionMAE ViT-L/16: encoder 1024 x 24, decoder 512 wide / 8 heads
# (VideoMAE-L's decoder).
_base_ = ['./motionmae_vit-base-p16.py']

model = dict(
    backbone=dict(embed_dims=1024, depth=24, num_heads=16),
    neck=dict(embed_dims=512, num_heads=8))
