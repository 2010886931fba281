# MotionMAE on moving handwritten digits, rendered on the fly (no files):
# the few-label benchmark's pretraining (tools/benchmarks/moving_digits.py,
# docs/results.md). The demo's ViT-tiny on 16-px clips of 4 frames with
# 4-px patches: a 4x4 token grid per time slot, 32 tokens, a digit (the 8x8
# scikit-learn image) is 2x2 patches. Small clips buy a batch of 64 in a
# ~0.26 s step on 2 CPU cores: many clips per step is what let this tiny MAE
# leave its loss floor within a session (docs/results.md).
_base_ = ['../demo/motionmae_vit-tiny_demo.py']

img_size = 16
num_frames = 4
batch_size = 64
iters_per_epoch = 100
max_epochs = 16

model = dict(
    # QK-LayerNorm: without it the encoder collapsed to 1.8 effective
    # dimensions and learned least; LayerScale (init_values) kept the most
    # (docs/results.md, Levers)
    backbone=dict(
        img_size=img_size, patch_size=4, num_frames=num_frames,
        qk_norm=True, init_values=0.1),
    neck=dict(qk_norm=True),
    mask_generator=dict(mask_ratio=0.5))

train_dataloader = dict(
    _delete_=True,
    batch_size=batch_size,
    num_workers=0,
    persistent_workers=False,
    # indices carry a seed of (run seed, epoch, index): new clips every
    # epoch, the same ones after a resume
    sampler=dict(type='SampleSeedSampler', shuffle=False),
    dataset=dict(
        type='MovingDigitsDataset',
        num_clips=batch_size * iters_per_epoch,
        task='identity',
        size=img_size,
        digit_size=8,
        num_frames=num_frames,
        pipeline=[
            dict(type='FormatShape', input_format='NCTHW'),
            dict(type='PackActionInputs')
        ]))

optim_wrapper = dict(optimizer=dict(lr=1e-3))
# a 3-epoch warm-up: with 1, every run's tokens fell to rank 2-4 when the
# warm-up ended, and only some seeds recovered (docs/results.md)
param_scheduler = dict(warmup=3)
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=4, max_keep_ckpts=1))
custom_hooks = [
    dict(type='MotionMAEReconstructionHook', interval=400),
    dict(type='MotionMAEHealthHook', interval=200)
]
