# Runtime for classification (fine-tune, linear probe, test): the shared
# runtime plus the best-top-1 checkpoint and the label check (annotation
# labels vs model.cls_head.num_classes, one-line errors naming file:line).
_base_ = ['./default_runtime.py']

default_hooks = dict(
    checkpoint=dict(
        type='SafeCheckpointHook',
        interval=5,
        max_keep_ckpts=3,
        save_best='auto'))
custom_hooks = [dict(type='MotionMAELabelCheckHook')]
