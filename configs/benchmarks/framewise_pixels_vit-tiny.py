# Benchmark variant (d), the fair control: MotionMAE's frame-wise random
# masking but no motion target (pixels only). (b) minus (d) isolates the
# motion target; (d) minus (a) isolates the masking.
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(head=dict(motion_weight=0.))
