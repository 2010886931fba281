# MotionMAE ViT-L/16 pretraining on Something-Something V2, 800 epochs,
# with FSDP2 (bf16 compute, fp32 master weights, activation checkpointing
# per block): sharded weights and optimizer state leave room for the batch.
_base_ = [
    '_base_/models/motionmae_vit-large-p16.py',
    '_base_/datasets/sthv2_pretrain.py',
    '_base_/schedules/adamw_pretrain_800e.py', '_base_/default_runtime.py'
]

strategy = dict(type='FSDP2', activation_checkpointing=True)
