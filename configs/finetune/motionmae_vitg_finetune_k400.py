# Fine-tune a MotionMAE ViT-g/14 encoder on Kinetics-400: the ViT-B recipe with
# the 1408 x 40 giant encoder, layer-wise lr decay 0.9 over its 40 blocks and
# drop path 0.3 (not tuned here), FSDP2 with bf16 compute and activation
# checkpointing per block (parameter groups come from the unsharded names).
#   tools/dist_train.sh configs/finetune/motionmae_vitg_finetune_k400.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAIN.pth
_base_ = ['./motionmae_vitb_finetune_k400.py']

model = dict(
    backbone=dict(
        patch_size=14,
        embed_dims=1408,
        depth=40,
        num_heads=16,
        mlp_ratio=48 / 11,
        drop_path_rate=0.3),
    cls_head=dict(in_channels=1408))
optim_wrapper = dict(
    dtype='bfloat16', paramwise_cfg=dict(decay_rate=0.9, num_layers=40))
strategy = dict(type='FSDP2', activation_checkpointing=True)
