# Ablation of (b): motion target u[t] - u[t-4] (gap 4 sampled frames).
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(targets=dict(motion=dict(gap=4)))
