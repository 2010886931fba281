# Baseline for the demo fine-tune: the same model and recipe trained from a
# random encoder (VideoMAE's initialisation), no pretraining checkpoint.
#   python tools/train.py configs/demo/finetune_vit-tiny_scratch_demo.py
_base_ = ['./finetune_vit-tiny_demo.py']

model = dict(
    backbone=dict(init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
    ]))
