# Something-Something V2 fine-tuning data, mmaction2's layout:
#   data/sthv2/videos/<id>.webm
#   data/sthv2/sthv2_{train,val}_list_videos.txt   ("<id>.webm <label>")
# VideoMAE: TSN-style uniform sampling of 16 frames, no flip (left/right
# classes), RandAugment m7 n4 (frame-consistent), random erasing 0.25;
# test 2 clips x 3 crops.
dataset_type = 'VideoDataset'
data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
ann_file_test = 'data/sthv2/sthv2_val_list_videos.txt'
num_frames = 16
img_size = 224
mean_rgb = (123.675, 116.28, 103.53)
std_rgb = (58.395, 57.12, 57.375)

train_pipeline = [
    dict(
        type='MotionMAESafeLoad',  # warn and redraw on unreadable videos
        transforms=[
            dict(type='DecordInit'),
            dict(type='UniformSample', clip_len=num_frames),
            dict(type='DecordDecode'),
        ]),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),  # area (0.08, 1), aspect (3/4, 4/3)
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    # no Flip: SSv2 has left/right classes
    dict(
        type='MotionMAERandAugment',
        magnitude=7,
        num_layers=4,
        magnitude_std=0.5),
    # timm RandomErasing(0.25, mode='pixel'): N(mean, std) noise, one box
    # for the whole clip
    dict(
        type='RandomErasing',
        erase_prob=0.25,
        mode='rand',
        fill_color=mean_rgb,
        fill_std=std_rgb),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=num_frames, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='UniformSample', clip_len=num_frames, num_clips=2,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='ThreeCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]

train_dataloader = dict(
    batch_size=8,  # per GPU; VideoMAE: 8 x 64 GPUs
    num_workers=8,
    persistent_workers=True,
    # per-sample seeds: a resumed run's augmentations are the
    # uninterrupted run's, with persistent workers too
    sampler=dict(type='SampleSeedSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
