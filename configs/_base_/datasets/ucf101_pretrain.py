# UCF101 pretraining data (split 1 train list), mmaction2's layout:
#   data/ucf101/videos/<Class>/<name>.avi
#   data/ucf101/ucf101_train_split_1_videos.txt
# Same pipeline as SSv2, sampling stride 4; 24 clips per GPU x 8 GPUs = 192.
_base_ = ['./sthv2_pretrain.py']

data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
# SSv2's pipeline at a sampling stride of 4 (restated, as mmaction2's
# configs do, rather than edited by list position)
train_pipeline = [
    dict(
        type='MotionMAESafeLoad',  # warn and redraw on unreadable videos
        transforms=[
            dict(type='DecordInit'),
            dict(
                type='SampleFrames', clip_len=16, frame_interval=4,
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
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]

train_dataloader = dict(
    batch_size=24,
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
