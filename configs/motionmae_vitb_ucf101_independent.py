# MotionMAE with one decoder per target (the paper's ablation setting).
_base_ = ['motionmae_vitb_ucf101.py']

model = dict(neck=dict(mode='independent'))
