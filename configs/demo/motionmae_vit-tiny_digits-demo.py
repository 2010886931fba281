# `make demo`: the moving-digits recipe (configs/digits/, the regime in which
# the tiny MotionMAE learns on 2 CPU cores, docs/results.md) trained from
# video files through mmaction2's VideoDataset, as a user's own data would
# be: a pool of 3,200 clips that tools/demo.py writes to data/demo_digits
# (motionmae_mm/datasets/digits_demo.py), 50 iterations of 64 per epoch.
#   python tools/train.py configs/demo/motionmae_vit-tiny_digits-demo.py
_base_ = ['../digits/motionmae_vit-tiny_digits.py']

data_root = 'data/demo_digits'
img_size = 16
num_frames = 4

train_pipeline = [
    dict(
        type='MotionMAESafeLoad',
        transforms=[
            # decode each clip once, keep its frames in memory (small data)
            dict(type='MotionMAECachedDecordInit'),
            dict(
                type='SampleFrames',
                clip_len=num_frames,
                frame_interval=1,
                num_clips=1),
            dict(type='DecordDecode'),
        ]),
    # the files repeat every pixel twice (decord cannot read a 16-px FFV1
    # frame); an area resize gives back the rendered frame exactly
    dict(
        type='Resize',
        scale=(img_size, img_size),
        keep_ratio=False,
        interpolation='area'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    _delete_=True,
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='SampleSeedSampler', shuffle=True),
    dataset=dict(
        type='VideoDataset',
        ann_file=f'{data_root}/pretrain.txt',
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))

# 800 steps, 300 of them warm-up, as the digits recipe's first half
param_scheduler = dict(warmup=6)
train_cfg = dict(max_epochs=16)
default_hooks = dict(logger=dict(interval=25))
