# Copyright (c) OpenMMLab. All rights reserved.
"""Linear warm-up then cosine annealing, as one ``param_scheduler`` entry.

Every recipe here (VideoMAE's pretraining and fine-tuning) warms the lr up
linearly and then anneals it with a cosine. Written as mmengine's two
schedulers, each config repeated the pair with the cosine's ``T_max`` and
``end`` computed from the epochs at parse time, so ``--cfg-options
train_cfg.max_epochs=N`` left the cosine on the old length. This entry
builds the same two mmengine schedulers (``LinearLR``, then
``CosineAnnealingLR``) at run time, when the Runner has set ``end`` to the
train loop's length: the cosine runs from the end of the warm-up to the
last epoch, whatever that is. The learning rates are bit-identical to the
pair's.
"""
import logging
from typing import Dict, List, Optional

from mmaction.registry import PARAM_SCHEDULERS
from mmengine.logging import print_log
from mmengine.optim.scheduler import CosineAnnealingLR, LinearLR
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler

#: Scheduler attributes set from the config, not restored on resume.
_RANGE_KEYS = ('begin', 'end', 'T_max', 'total_iters')


@PARAM_SCHEDULERS.register_module()
class MotionMAEWarmupCosineLR(_ParamScheduler):
    """``warmup`` steps of ``LinearLR``, then ``CosineAnnealingLR`` to ``end``.

    A warm-up as long as the schedule or longer (a short run of a long
    recipe) is all the run does, with a warning. On resume the step counts
    are restored and the phases keep this run's lengths, so a run resumed
    with a larger ``train_cfg.max_epochs`` anneals to the new end.

    Args:
        optimizer: The optimizer (wrapper); given by the Runner.
        warmup (int): Length of the linear warm-up, in epochs when
            ``by_epoch`` (the config's unit), else iterations. 0: no
            warm-up.
        start_factor (float): The warm-up's first lr as a fraction of the
            base lr.
        eta_min (float, optional): The cosine's final lr.
        eta_min_ratio (float, optional): The cosine's final lr as a
            fraction of the base lr (give this or ``eta_min``).
        begin (int): First step of the warm-up.
        end (int): Last step of the cosine; the Runner sets it to
            ``train_cfg.max_epochs`` (or ``max_iters``) when left out.
        by_epoch (bool): Whether ``warmup``, ``begin`` and ``end`` count
            epochs.
        epoch_length (int, optional): Iterations per epoch; set by
            ``convert_to_iter_based=True`` (then the lr changes every
            iteration).
        verbose (bool): Print the lr at every update.

    A ``_ParamScheduler`` for mmengine's type checks (the Runner accepts
    built schedulers of that type on resume); the state lives in the two
    schedulers it holds, so the base class's ``__init__`` is not run.
    """

    def __init__(self,
                 optimizer,
                 warmup: int = 0,
                 start_factor: float = 1e-3,
                 eta_min: Optional[float] = None,
                 eta_min_ratio: Optional[float] = None,
                 begin: int = 0,
                 end: int = INF,
                 by_epoch: bool = True,
                 epoch_length: Optional[int] = None,
                 verbose: bool = False) -> None:
        # no super().__init__(): it would step the lr itself
        if end == INF:
            raise ValueError(
                'MotionMAEWarmupCosineLR needs `end` (the Runner sets it '
                'to train_cfg.max_epochs; set it when building it alone)')
        if end <= begin:
            raise ValueError(f'MotionMAEWarmupCosineLR: end ({end}) must be '
                             f'larger than begin ({begin})')
        if warmup < 0:
            raise ValueError(f'param_scheduler.warmup must be >= 0, got '
                             f'{warmup}')
        if warmup >= end - begin:
            # e.g. --cfg-options train_cfg.max_epochs=1 on a 1-epoch
            # warm-up: the run is the warm-up (as the two-scheduler list did)
            print_log(
                f'MotionMAEWarmupCosineLR: the warm-up ({warmup}) covers the '
                f'whole schedule ({end - begin}); no cosine phase',
                logger='current',
                level=logging.WARNING)

        def build(cls, **kwargs):
            kwargs.update(by_epoch=by_epoch, verbose=verbose)
            if epoch_length is None:
                return cls(optimizer, **kwargs)
            return cls.build_iter_from_epoch(
                optimizer, epoch_length=epoch_length, **kwargs)

        self.schedulers: List = []
        if warmup:
            self.schedulers.append(
                build(
                    LinearLR,
                    start_factor=start_factor,
                    begin=begin,
                    end=begin + warmup))
        # T_max left out: end - begin, from the warm-up's end to `end`.
        # A warm-up covering the run gets a cosine after the run's end (it
        # never acts), so a resumed, longer run finds the same two states.
        self.schedulers.append(
            build(
                CosineAnnealingLR,
                eta_min=eta_min,
                eta_min_ratio=eta_min_ratio,
                begin=begin + warmup,
                end=max(end, begin + warmup + 1)))
        self.by_epoch = self.schedulers[0].by_epoch

    @classmethod
    def build_iter_from_epoch(cls, *args, epoch_length: int,
                              **kwargs) -> 'MotionMAEWarmupCosineLR':
        """The iteration-based schedule of an epoch-based config
        (``convert_to_iter_based=True``)."""
        return cls(*args, epoch_length=epoch_length, **kwargs)

    def step(self) -> None:
        """Advance both schedulers, warm-up first (as the Runner steps a
        list of schedulers)."""
        for scheduler in self.schedulers:
            scheduler.step()

    def get_last_value(self) -> list:
        """The lr of each parameter group after the last step."""
        return self.schedulers[-1].get_last_value()

    def state_dict(self) -> Dict:
        """Both schedulers' states (saved in checkpoints for resuming)."""
        return dict(schedulers=[s.state_dict() for s in self.schedulers])

    def load_state_dict(self, state_dict: Dict) -> None:
        """Restore :meth:`state_dict`'s output."""
        states = state_dict.get('schedulers') if isinstance(state_dict,
                                                            dict) else None
        if states is None or len(states) != len(self.schedulers):
            raise ValueError(
                'cannot resume MotionMAEWarmupCosineLR from this checkpoint: '
                'its param_schedulers were saved by another schedule (resume '
                'with the config it was trained with)')
        for scheduler, state in zip(self.schedulers, states):
            # the step counters resume; the range stays the one built now
            # (from this run's train_cfg.max_epochs, which may be longer)
            state = {k: v for k, v in state.items() if k not in _RANGE_KEYS}
            scheduler.load_state_dict(state)
