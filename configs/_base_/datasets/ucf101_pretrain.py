# UCF101 pretraining data (split 1 train list), mmaction2's layout:
#   data/ucf101/videos/<Class>/<name>.avi
#   data/ucf101/ucf101_train_split_1_videos.txt
# Same pipeline as SSv2, sampling stride 4; 24 clips per GPU x 8 GPUs = 192.
_base_ = ['./sthv2_pretrain.py']

data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
_base_.train_pipeline[0].transforms[1].frame_interval = 4
train_pipeline = _base_.train_pipeline

train_dataloader = dict(
    batch_size=24,
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
