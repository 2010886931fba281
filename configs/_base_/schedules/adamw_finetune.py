# VideoMAE fine-tuning schedule: AdamW (0.9, 0.999), wd 0.05 (none on 1-D
# params), layer-wise lr decay 0.75 (mmaction2's constructor, ids as
# VideoMAE's assigner), lr per 256 clips scaled by auto_scale_lr, 5 warm-up
# epochs from 1e-6 then cosine to 1e-6 (both per 256, as VideoMAE).
_base_ = ['./warmup_cosine.py']

base_lr = 5e-4
min_lr = 1e-6
warmup_lr = 1e-6
max_epochs = 50
warmup_epochs = 5

optim_wrapper = dict(
    # AMP that skips non-finite losses and stops after max_consecutive in a
    # row (None: 10 under mixed precision; in fp32 the first one stops)
    type='NonFiniteSkipAmpOptimWrapper',
    loss_scale='dynamic',
    max_consecutive=None,
    optimizer=dict(
        type='AdamW',
        lr=base_lr,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.05,
        fused=True),
    constructor='LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(
        decay_rate=0.75, decay_type='layer_wise', num_layers=12))

param_scheduler = dict(
    warmup=warmup_epochs,
    start_factor=warmup_lr / base_lr,
    eta_min_ratio=min_lr / base_lr)  # floor scales with the lr

train_cfg = dict(
    type='ResumableEpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=True, base_batch_size=256)
