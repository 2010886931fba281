# Kinetics-400 pretraining data, mmaction2's layout:
#   data/kinetics400/videos_train/...
#   data/kinetics400/kinetics400_train_list_videos.txt
# Same pipeline as SSv2, sampling stride 4.
_base_ = ['./sthv2_pretrain.py']

data_root = 'data/kinetics400/videos_train'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
_base_.train_pipeline[0].transforms[1].frame_interval = 4
train_pipeline = _base_.train_pipeline

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
