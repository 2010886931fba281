# Fine-tune a MotionMAE ViT-B/16 encoder on Something-Something V2
# (VideoMAE's SSv2 recipe: lr 5e-4 per 256, layer decay 0.75, drop path 0.1,
# 50 epochs, 16 uniform frames, no flip, test 2 clips x 3 crops).
#   python tools/train.py configs/finetune/motionmae_vitb_finetune_ssv2.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAIN.pth
_base_ = [
    '../_base_/models/vit-base-p16_recognizer.py',
    '../_base_/datasets/sthv2_finetune.py',
    '../_base_/schedules/adamw_finetune.py', '../_base_/finetune_runtime.py'
]
