# VideoMAE baseline = MotionMAE with tube masking and no motion target.
_base_ = ['motionmae_vitb_ucf101.py']

model = dict(
    mask_generator=dict(type='TubeMaskGenerator'),
    targets=dict(
        _delete_=True,
        appearance=dict(
            type='PixelTarget',
            norm_pix=True,
            loss=dict(type='MotionMAEReconstructionLoss', loss_weight=1.))))
