# Fine-tune a MotionMAE ViT-B/16 encoder on Kinetics-400 (VideoMAE's K400
# recipe: lr 1e-3 per 256, 100 epochs, dense 16x4 clips, flip, test 5 clips
# x 3 crops).
_base_ = [
    '../_base_/models/vit-base-p16_recognizer.py',
    '../_base_/datasets/k400_finetune.py',
    '../_base_/schedules/adamw_finetune.py', '../_base_/finetune_runtime.py'
]

num_classes = 400
base_lr = 1e-3
max_epochs = 100

model = dict(
    cls_head=dict(num_classes=num_classes),
    data_preprocessor=dict(
        blending=dict(augments=[
            dict(type='MixupBlending', alpha=0.8, num_classes=num_classes),
            dict(type='CutmixBlending', alpha=1., num_classes=num_classes)
        ])))

optim_wrapper = dict(optimizer=dict(lr=base_lr))
param_scheduler = dict(
    start_factor=1e-6 / base_lr, eta_min_ratio=1e-6 / base_lr)
train_cfg = dict(max_epochs=max_epochs)
