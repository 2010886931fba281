# Benchmark variant (d), the fair control: MotionMAE's frame-wise random
# masking but no motion target (pixels only). (b) minus (d) isolates the
# motion target; (d) minus (a) isolates the masking.
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(
    targets=dict(
        _delete_=True,
        appearance=dict(
            type='PixelTarget',
            norm_pix=True,
            loss=dict(type='MotionMAEReconstructionLoss', loss_weight=1.))))
