# Something-Something V2 pretraining data, mmaction2's layout:
#   data/sthv2/videos/<id>.webm
#   data/sthv2/sthv2_train_list_videos.txt  ("<id>.webm <label>" or "<id>.webm")
dataset_type = 'VideoDataset'
data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'

train_pipeline = [
    dict(
        type='MotionMAESafeLoad',  # warn and redraw on unreadable videos
        transforms=[
            dict(type='DecordInit'),
            dict(
                type='SampleFrames', clip_len=16, frame_interval=2,
                num_clips=1),
            dict(type='DecordDecode'),
        ]),
    dict(
        type='MultiScaleCrop',
        input_size=224,
        scales=(1, 0.875, 0.75, 0.66),
        random_crop=False,
        max_wh_scale_gap=1),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    # no Flip: SSv2 has left/right classes
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]

train_dataloader = dict(
    batch_size=32,  # per GPU; 64 GPUs x 32 = 2048 as VideoMAE
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

val_cfg = val_dataloader = val_evaluator = None
test_cfg = test_dataloader = test_evaluator = None
