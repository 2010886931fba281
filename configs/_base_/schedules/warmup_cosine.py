# Linear warm-up, then cosine annealing until the end of training: one
# scheduler entry (motionmae_mm's MotionMAEWarmupCosineLR builds mmengine's
# LinearLR + CosineAnnealingLR pair at run time). The cosine ends at
# train_cfg.max_epochs, whatever --cfg-options sets it to; recipes and leaf
# configs change only the fields they need, e.g.
#   param_scheduler = dict(warmup=5, start_factor=1e-6 / base_lr)
param_scheduler = dict(
    type='MotionMAEWarmupCosineLR',
    warmup=40,  # epochs of linear warm-up
    start_factor=1e-3,  # first lr / base lr
    eta_min_ratio=0.,  # final lr / base lr (or eta_min=... with this None)
    by_epoch=True,
    convert_to_iter_based=True)  # lr updated every iteration
