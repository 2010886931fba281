# Ablation of (b): raw signed frame difference as the motion target (no
# per-patch normalisation). Its values are small (most pixels barely
# change), so at weight 1 the motion loss is far below the appearance loss.
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(targets=dict(motion=dict(norm_pix=False)))
