# HMDB51 fine-tuning data (split 1), mmaction2's layout:
#   data/hmdb51/videos/<class>/<name>.avi
#   data/hmdb51/hmdb51_{train,val}_split_1_videos.txt
# Same pipelines as Kinetics-400 (16x4, flip, test 5 clips x 3 crops);
# batch as UCF101 (VideoMAE published no HMDB51 script).
_base_ = ['./k400_finetune.py']

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'

train_dataloader = dict(
    batch_size=16,
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
