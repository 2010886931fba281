# MotionMAE ViT-B/16 on Kinetics-400, VideoMAE's long schedule: 1600 epochs.
_base_ = ['motionmae_vitb_k400.py']

max_epochs = 1600
_base_.param_scheduler[1].update(T_max=max_epochs - 40, end=max_epochs)
param_scheduler = _base_.param_scheduler
train_cfg = dict(max_epochs=max_epochs)
