# MotionMAE ViT-B/16 on Kinetics-400, VideoMAE's long schedule: 1600 epochs
# (the cosine follows train_cfg.max_epochs).
_base_ = ['motionmae_vitb_k400.py']

max_epochs = 1600
train_cfg = dict(max_epochs=max_epochs)
