# Fine-tune a MotionMAE ViT-H/14 encoder on Something-Something V2: the ViT-B
# recipe with the 1280 x 32 encoder, layer-wise lr decay 0.8 over its 32 blocks
# and drop path 0.2 (not tuned here), FSDP2 with bf16 compute and activation
# checkpointing per block (parameter groups come from the unsharded names).
#   tools/dist_train.sh configs/finetune/motionmae_vith_finetune_ssv2.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAIN.pth
_base_ = ['./motionmae_vitb_finetune_ssv2.py']

model = dict(
    backbone=dict(
        patch_size=14,
        embed_dims=1280,
        depth=32,
        num_heads=16,
        drop_path_rate=0.2),
    cls_head=dict(in_channels=1280))
optim_wrapper = dict(
    dtype='bfloat16', paramwise_cfg=dict(decay_rate=0.8, num_layers=32))
strategy = dict(type='FSDP2', activation_checkpointing=True)
