# Kinetics-400 fine-tuning data, mmaction2's layout:
#   data/kinetics400/videos_{train,val}/...
#   data/kinetics400/kinetics400_{train,val}_list_videos.txt
# VideoMAE: dense 16x4 clips, horizontal flip, RandAugment m7 n4
# (frame-consistent), random erasing 0.25; test 5 clips x 3 crops.
dataset_type = 'VideoDataset'
data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_test = 'data/kinetics400/kinetics400_val_list_videos.txt'
num_frames = 16
frame_interval = 4
img_size = 224
mean_rgb = (123.675, 116.28, 103.53)
std_rgb = (58.395, 57.12, 57.375)

train_pipeline = [
    dict(
        type='MotionMAESafeLoad',  # warn and redraw on unreadable videos
        transforms=[
            dict(type='DecordInit'),
            dict(
                type='SampleFrames',
                clip_len=num_frames,
                frame_interval=frame_interval,
                num_clips=1),
            dict(type='DecordDecode'),
        ]),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),  # area (0.08, 1), aspect (3/4, 4/3)
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(
        type='MotionMAERandAugment',
        magnitude=7,
        num_layers=4,
        magnitude_std=0.5),
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
    dict(
        type='SampleFrames',
        clip_len=num_frames,
        frame_interval=frame_interval,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=num_frames,
        frame_interval=frame_interval,
        num_clips=5,
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
        data_prefix=dict(video=data_root_val),
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
        data_prefix=dict(video=data_root_val),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
