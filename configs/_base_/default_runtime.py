# Runtime shared by every config: mmaction2's scope plus our modules.
default_scope = 'mmaction'
custom_imports = dict(imports=['motionmae_mm'], allow_failed_imports=False)
# atomic checkpoints, newest readable one on --resume (docs/design.md, 4)
runner_type = 'MotionMAERunner'

# Our hooks sit in default_hooks under their own keys: default_hooks merge by
# key, so a config that sets default_hooks=dict(logger=...) or its own
# custom_hooks (a list, replaced whole) keeps them. Remove one with
# default_hooks=dict(<key>=None).
default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # deletes old checkpoints only after the new one is whole
    checkpoint=dict(
        type='SafeCheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # every rank's RNG state in checkpoints: a resumed run draws the masks
    # the uninterrupted one drew
    rng_state=dict(type='RNGStateHook'),
    # one log line and a scalar per epoch counting unreadable videos
    skipped_videos=dict(type='SkippedVideoHook'),
    # SIGTERM / SIGUSR1: finish the iteration, save, exit 75 (requeue)
    preemption=dict(type='PreemptionHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
