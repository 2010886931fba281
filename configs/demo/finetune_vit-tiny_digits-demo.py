# Fine-tune the `make demo` encoder (configs/demo/
# motionmae_vit-tiny_digits-demo.py: ViT 192 x 6 with QK-norm and
# LayerScale, 4-px patches, 4 frames of 16 px) on the direction labels of
# data/demo_digits (`make demo-finetune` runs pretrain -> fine-tune -> test).
#   python tools/train.py configs/demo/finetune_vit-tiny_digits-demo.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/demo/epoch_16.pth
_base_ = ['./finetune_vit-tiny_demo.py']

data_root = 'data/demo_digits'
img_size = 16
num_frames = 4

model = dict(
    backbone=dict(
        img_size=img_size,
        patch_size=4,
        num_frames=num_frames,
        qk_norm=True,
        init_values=0.1))

# the whole clip and frame (no augmentation: no Flip, directions are the
# classes); the files repeat every pixel twice, the area resize undoes it
# (motionmae_mm/datasets/digits_demo.py)
test_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=num_frames,
        frame_interval=1,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(
        type='Resize',
        scale=(img_size, img_size),
        keep_ratio=False,
        interpolation='area'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_pipeline = [
    dict(type='MotionMAESafeLoad', transforms=test_pipeline[:3]),
    *test_pipeline[3:],
]
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=f'{data_root}/train.txt',
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=f'{data_root}/val.txt',
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], ann_file=f'{data_root}/test.txt'))
