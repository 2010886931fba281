# Benchmark variant (a): the VideoMAE baseline. Tube masking at the demo's
# ratio, 0.5 (mask_ratio merges from (b); VideoMAE's own is 0.9), pixels
# only (the motion head is dropped with motion_weight=0).
_base_ = ['./motionmae_shared_vit-tiny.py']

model = dict(
    mask_generator=dict(type='TubeMaskGenerator'),
    head=dict(motion_weight=0.))
