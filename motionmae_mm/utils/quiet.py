# Copyright (c) OpenMMLab. All rights reserved.
"""Keep logs to what a user reads: known noise goes to debug level.

mmcv-lite warns at every start that a CUDA op it does not ship is missing,
mmengine's optimizer constructor logs one line per parameter option, and
mmaction2's layer-decay constructor one per parameter; a model initialised
without a work dir dumps a multi-line entry per parameter. These records
are lowered to DEBUG (the handlers, at INFO, then skip them;
``log_level='DEBUG'`` shows them again), the warnings are filtered by
their text. In a run (a log file open), mmengine writes the per-parameter
dump straight into the file: :func:`init_info_at_debug` sends it to debug
level there too.
"""
import logging
import re
import warnings
from contextlib import contextmanager
from typing import Iterator

import torch.nn as nn

# messages of mmengine / mmaction2 records lowered to DEBUG
DEBUG_MESSAGES = re.compile(
    r'paramwise_options -- |set param \S+ as id \d+|Param groups = |'
    r'self\.paramwise_cfg is |Build LearningRateDecayOptimizerConstructor|'
    r'\n\S+ - torch\.Size\(')
# mmengine's FileClient deprecation, logged as WARNING by print_log
DEBUG_WARNINGS = re.compile(
    r'"FileClient" will be deprecated|"HardDiskBackend" is the alias')
# warnings nobody can act on (mmcv-lite lacks CUDA ops; FileClient API)
QUIET_WARNINGS = (
    r'Fail to import ``MultiScaleDeformableAttention``',
    r'"FileClient" will be deprecated',
    r'"HardDiskBackend" is the alias of "LocalBackend"',
)
_GPU_NUMBER = re.compile(r'GPU number: (\d+)')


def _device_line(match: 're.Match') -> str:
    """``GPU number: N`` names the device the processes really use."""
    import torch
    if torch.cuda.is_available():
        return match.group(0)
    return f'Processes: {match.group(1)} (CPU, no GPU)'


def _lower_noise(factory):
    """Wrap a log-record factory so noisy records become DEBUG records."""

    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        msg = record.msg
        if not isinstance(msg, str):
            return record
        if record.levelno == logging.INFO and DEBUG_MESSAGES.match(msg) or \
                record.levelno == logging.WARNING and \
                DEBUG_WARNINGS.match(msg):
            record.levelno, record.levelname = logging.DEBUG, 'DEBUG'
        elif record.levelno == logging.INFO and 'GPU number: ' in msg:
            record.msg = _GPU_NUMBER.sub(_device_line, msg)
        return record

    make_record.motionmae_quiet = True
    return make_record


def quiet_logs() -> None:
    """Install the warning filters and the record factory (idempotent)."""
    for message in QUIET_WARNINGS:
        warnings.filterwarnings('ignore', message=message)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, 'motionmae_quiet', False):
        logging.setLogRecordFactory(_lower_noise(factory))


@contextmanager
def init_info_at_debug(model: nn.Module) -> Iterator[None]:
    """While ``model.init_weights()`` runs, log its per-parameter dump
    (``_dump_init_info``) at debug level instead of into the log file."""
    from mmengine.logging import MMLogger

    def dump() -> None:
        logger = MMLogger.get_current_instance()
        for name, param in model.named_parameters():
            info = model._params_init_info[param]['init_info']
            logger.debug(f'init {name} {tuple(param.shape)}: {info}')

    model._dump_init_info = dump  # shadows the method for this call
    try:
        yield
    finally:
        del model._dump_init_info
