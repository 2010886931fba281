# VideoMAE pretraining schedule: AdamW (0.9, 0.95), lr 1.5e-4 per 256 clips
# (scaled by auto_scale_lr), 40 warm-up epochs, cosine to 1e-5 per 256.
_base_ = ['./warmup_cosine.py']

base_lr = 1.5e-4
max_epochs = 800
warmup_epochs = 40

optim_wrapper = dict(
    # AMP that skips non-finite losses and stops after max_consecutive in a
    # row (None: 10 under mixed precision; in fp32 the first one stops)
    type='NonFiniteSkipAmpOptimWrapper',
    loss_scale='dynamic',
    max_consecutive=None,
    # fused: one kernel per parameter instead of ~8 element-wise passes
    # (CPU and CUDA, AMP included; same updates, tests/models/test_fast_paths)
    optimizer=dict(
        type='AdamW',
        lr=base_lr,
        betas=(0.9, 0.95),
        weight_decay=0.05,
        fused=True),
    # no decay on norms, biases (1-D params), positions and the mask token
    paramwise_cfg=dict(
        flat_decay_mult=0.,
        custom_keys=dict(
            pos_embed=dict(decay_mult=0.), mask_token=dict(decay_mult=0.))))

param_scheduler = dict(
    warmup=warmup_epochs,
    start_factor=1e-6 / base_lr,  # VideoMAE warmup_lr 1e-6 per 256
    eta_min_ratio=1e-5 / base_lr)  # floor scales with the lr

train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(enable=True, base_batch_size=256)
