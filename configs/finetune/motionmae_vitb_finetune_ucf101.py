# Fine-tune a MotionMAE ViT-B/16 encoder on UCF101 split 1 (VideoMAE's
# UCF101 script: lr 5e-4 per 256, layer decay 0.7, drop path 0.2, head
# dropout 0.5, min lr 1e-5, 100 epochs, 16x4 clips, test 5 clips x 3 crops).
_base_ = [
    '../_base_/models/vit-base-p16_recognizer.py',
    '../_base_/datasets/ucf101_finetune.py',
    '../_base_/schedules/adamw_finetune.py', '../_base_/finetune_runtime.py'
]

num_classes = 101
base_lr = 5e-4
max_epochs = 100

model = dict(
    backbone=dict(drop_path_rate=0.2),
    cls_head=dict(num_classes=num_classes, dropout_ratio=0.5),
    data_preprocessor=dict(
        blending=dict(augments=[
            dict(type='MixupBlending', alpha=0.8, num_classes=num_classes),
            dict(type='CutmixBlending', alpha=1., num_classes=num_classes)
        ])))

optim_wrapper = dict(paramwise_cfg=dict(decay_rate=0.7))
param_scheduler = dict(
    start_factor=1e-6 / base_lr, eta_min_ratio=1e-5 / base_lr)
train_cfg = dict(max_epochs=max_epochs)
