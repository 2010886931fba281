# Baseline for the digits demo fine-tune: the same model and recipe trained
# from a random encoder, no pretraining checkpoint.
#   python tools/train.py configs/demo/finetune_vit-tiny_scratch_digits-demo.py
_base_ = ['./finetune_vit-tiny_digits-demo.py']

model = dict(
    backbone=dict(init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
    ]))
