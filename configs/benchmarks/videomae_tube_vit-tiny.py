# Benchmark variant (a): the VideoMAE baseline. Tube masking at the demo's
# ratio, 0.5 (mask_ratio merges from (b); VideoMAE's own is 0.9), pixels
# only (the motion target is dropped).
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(
    mask_generator=dict(type='TubeMaskGenerator'),
    targets=dict(
        _delete_=True,
        appearance=dict(
            type='PixelTarget',
            norm_pix=True,
            loss=dict(type='MotionMAEReconstructionLoss', loss_weight=1.))))
