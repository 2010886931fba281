# Benchmark variant (e): MotionMAE (shared decoder, appearance + motion)
# with motion-guided masking: high frame-difference tokens are masked
# preferentially (Gumbel-top-k per time slot).
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(
    mask_generator=dict(
        _delete_=True,
        type='MotionGuidedMaskGenerator',
        mask_ratio=0.5,
        per_slot=True,
        temperature=0.25,
        gap=1))
