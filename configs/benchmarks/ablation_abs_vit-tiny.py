# Ablation of (b): absolute frame difference |u[t] - u[t-1]| (no sign, so
# no direction information in the target).
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(targets=dict(motion=dict(signed=False)))
