# MotionMAE ViT-g/14 pretraining on Kinetics-400 (16x4 clips): the ViT-B recipe
# with VideoMAE V2's giant encoder (1408 x 40, FFN 6144 = 48/11 x 1408, 14 px
# patches), a 512-wide decoder and VideoMAE V2's decoder masking (half of the
# masked tokens decoded and scored, running-cell pattern first). FSDP2 with
# bf16 compute (fp32 master weights and gradient reduction) and activation
# checkpointing per block.
#   tools/dist_train.sh configs/motionmae_vitg_k400.py 8
_base_ = ['./motionmae_vitb_k400.py']

model = dict(
    backbone=dict(
        patch_size=14,
        embed_dims=1408,
        depth=40,
        num_heads=16,
        mlp_ratio=48 / 11),
    neck=dict(embed_dims=512, num_heads=8),
    decoder_mask_ratio=0.5,
    decoder_mask_mode='running_cell')
optim_wrapper = dict(dtype='bfloat16')
strategy = dict(type='FSDP2', activation_checkpointing=True)
