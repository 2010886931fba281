# Benchmark variant (b): MotionMAE with one shared decoder and two heads
# (appearance + motion, 1:1), frame-wise random masking at the demo's ratio
# (0.5: a tiny model learns nothing at 0.9 in this budget). This is the
# tiny demo pretraining config as it is; the other variants change only the
# keys they name. Run alone with:
#   python tools/train.py configs/benchmarks/motionmae_shared_vit-tiny.py
_base_ = ['../demo/motionmae_vit-tiny_demo.py']

model = dict(
    mask_generator=dict(type='FrameRandomMaskGenerator', mask_ratio=0.5),
    neck=dict(mode='shared'),
    targets=dict(
        appearance=dict(loss=dict(loss_weight=1.)),
        motion=dict(gap=1, norm_pix=True, loss=dict(loss_weight=1.))))
