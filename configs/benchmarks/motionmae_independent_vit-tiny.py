# Benchmark variant (c): MotionMAE with one decoder per target
# (the paper's ablation setting; ~40% more pretraining time).
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(neck=dict(mode='independent'))
