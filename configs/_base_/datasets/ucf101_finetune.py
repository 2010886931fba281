# UCF101 fine-tuning data (split 1), mmaction2's layout:
#   data/ucf101/videos/<Class>/<name>.avi
#   data/ucf101/ucf101_{train,val}_split_1_videos.txt
# Same pipelines as Kinetics-400 (16x4, flip, test 5 clips x 3 crops);
# 16 clips per GPU x 8 GPUs as VideoMAE's UCF101 script.
_base_ = ['./k400_finetune.py']

data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'

train_dataloader = dict(
    batch_size=16,
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
