# MotionMAE with one decoder per target (the paper's ablation setting).
_base_ = ['motionmae_vitb_k400.py']

model = dict(neck=dict(mode='independent'))
