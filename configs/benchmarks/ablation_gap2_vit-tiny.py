# Ablation of (b): motion target u[t] - u[t-2] (gap 2 sampled frames).
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(targets=dict(motion=dict(gap=2)))
