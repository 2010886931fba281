# MotionMAE ViT-H/14 pretraining on Kinetics-400 (16x4 clips): the ViT-B recipe
# with a 1280 x 32 encoder (16 x 16 patches of 14 px per frame pair), a
# 512-wide decoder and VideoMAE V2's decoder masking (half of the masked
# tokens decoded and scored, running-cell pattern first). FSDP2 with bf16
# compute (fp32 master weights and gradient reduction) and activation
# checkpointing per block: DDP does not fit the model on one GPU.
#   tools/dist_train.sh configs/motionmae_vith_k400.py 8
_base_ = ['./motionmae_vitb_k400.py']

model = dict(
    backbone=dict(patch_size=14, embed_dims=1280, depth=32, num_heads=16),
    neck=dict(embed_dims=512, num_heads=8),
    decoder_mask_ratio=0.5,
    decoder_mask_mode='running_cell')
optim_wrapper = dict(dtype='bfloat16')
strategy = dict(type='FSDP2', activation_checkpointing=True)
