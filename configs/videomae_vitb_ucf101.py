# VideoMAE baseline = MotionMAE with tube masking and no motion target.
_base_ = ['motionmae_vitb_ucf101.py']

model = dict(
    mask_generator=dict(type='TubeMaskGenerator'), head=dict(motion_weight=0.))
